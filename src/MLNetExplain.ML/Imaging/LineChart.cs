using System.Globalization;
using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// A titled line chart of one or more named series rendered to PNG, e.g. the deletion and insertion curves of an
/// attribution method (fraction of pixels removed against the model's score) for an HTML report.
/// </summary>
/// <remarks>
/// Drawn with SkiaSharp directly: ScottPlot 5.1 needs SkiaSharp 3, with which ImageAnalytics 5.0.1's
/// <c>ExtractPixels</c> fails, and a chart of a few curves does not justify giving that up. Axes get 1-2-5 ticks with
/// light grid lines; series take the category10 palette in order; the legend sits in the plot's top-right corner.
/// </remarks>
public sealed class LineChart
{
    private const float Margin = 10, TickLength = 4, FontSize = 13, TitleSize = 16;

    private readonly List<(string Name, double[] X, double[] Y)> _series = [];

    /// <summary>The series colours, in order (matplotlib's category10); the 11th series reuses the first colour.</summary>
    public static IReadOnlyList<SKColor> Palette { get; } =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    /// <summary>The title drawn above the chart; none when null.</summary>
    public string? Title { get; init; }

    /// <summary>The label of the horizontal axis; none when null.</summary>
    public string? XLabel { get; init; }

    /// <summary>The label of the vertical axis; none when null.</summary>
    public string? YLabel { get; init; }

    /// <summary>Fixed vertical range (minimum, maximum), e.g. (0, 1) for probabilities; from the data when null.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>The names of the series added so far, in order.</summary>
    public IReadOnlyList<string> SeriesNames => [.. _series.Select(s => s.Name)];

    /// <summary>Adds a series drawn as a line through its points, listed in the legend under its name.</summary>
    /// <param name="name">The legend text.</param>
    /// <param name="x">Horizontal coordinates.</param>
    /// <param name="y">Vertical coordinates, as many as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">When the lengths differ, a series is empty, or a value is not finite.</exception>
    public LineChart AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count == 0)
        {
            throw new ArgumentException(
                $"Series '{name}' needs as many y values as x values, at least one: got {x.Count} x and {y.Count} y.", nameof(y));
        }

        if (x.Concat(y).Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException($"Series '{name}' holds a NaN or infinite value.", nameof(y));
        }

        _series.Add((name, [.. x], [.. y]));
        return this;
    }

    /// <summary>Renders the chart as PNG bytes.</summary>
    /// <param name="width">Width in pixels. Default 640.</param>
    /// <param name="height">Height in pixels. Default 400.</param>
    /// <exception cref="InvalidOperationException">When no series was added.</exception>
    public byte[] RenderPng(int width = 640, int height = 400)
    {
        using SKBitmap bitmap = Render(width, height);
        return PngFile.Encode(bitmap);
    }

    /// <summary>Renders the chart and writes it as a PNG file, atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="width">Width in pixels. Default 640.</param>
    /// <param name="height">Height in pixels. Default 400.</param>
    public void SavePng(string path, int width = 640, int height = 400) =>
        PngFile.WriteAtomically(path, RenderPng(width, height));

    /// <summary>Renders the chart as an opaque 32-bit BGRA bitmap; the caller disposes it.</summary>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <exception cref="InvalidOperationException">When no series was added.</exception>
    public SKBitmap Render(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 80);
        if (_series.Count == 0)
        {
            throw new InvalidOperationException("The chart has no series; call AddSeries first.");
        }

        ChartLayout layout = Layout(width, height);
        SKBitmap bitmap = PlanarPixels.NewBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        using SKFont font = LabelFont.Create(FontSize);
        using SKFont titleFont = LabelFont.Create(TitleSize);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(0xe0, 0xe0, 0xe0), StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        using var frame = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        canvas.Clear(SKColors.White);
        SKRect plot = layout.Plot;
        float baseline = -font.Metrics.Ascent;

        foreach (double tick in layout.XTicks)
        {
            float x = layout.MapX(tick);
            canvas.DrawLine(x, plot.Top, x, plot.Bottom, grid);
            canvas.DrawLine(x, plot.Bottom, x, plot.Bottom + TickLength, frame);
            string text = Format(tick);
            canvas.DrawText(text, x - LabelFont.Width(font, text) / 2, plot.Bottom + TickLength + baseline, font, ink);
        }

        foreach (double tick in layout.YTicks)
        {
            float y = layout.MapY(tick);
            canvas.DrawLine(plot.Left, y, plot.Right, y, grid);
            canvas.DrawLine(plot.Left - TickLength, y, plot.Left, y, frame);
            string text = Format(tick);
            canvas.DrawText(text, plot.Left - TickLength - 2 - LabelFont.Width(font, text), y + baseline / 2 - 1, font, ink);
        }

        canvas.DrawRect(plot, frame);
        canvas.Save();
        canvas.ClipRect(plot);
        for (int s = 0; s < _series.Count; s++)
        {
            (_, double[] xs, double[] ys) = _series[s];
            using var line = new SKPaint
            {
                Color = Palette[s % Palette.Count], StrokeWidth = 2, Style = SKPaintStyle.Stroke, IsAntialias = true,
                StrokeJoin = SKStrokeJoin.Round,
            };
            using var path = new SKPath();
            path.MoveTo(layout.MapX(xs[0]), layout.MapY(ys[0]));
            for (int i = 1; i < xs.Length; i++)
            {
                path.LineTo(layout.MapX(xs[i]), layout.MapY(ys[i]));
            }

            canvas.DrawPath(path, line);
        }

        canvas.Restore();
        DrawLegend(canvas, layout, font, ink, frame);

        if (Title is not null)
        {
            canvas.DrawText(Title, (width - LabelFont.Width(titleFont, Title)) / 2, Margin - titleFont.Metrics.Ascent, titleFont, ink);
        }

        if (XLabel is not null)
        {
            canvas.DrawText(XLabel, plot.MidX - LabelFont.Width(font, XLabel) / 2, height - Margin - font.Metrics.Descent, font, ink);
        }

        if (YLabel is not null)
        {
            canvas.Save();
            canvas.RotateDegrees(-90, Margin + baseline, plot.MidY);
            canvas.DrawText(YLabel, Margin + baseline - LabelFont.Width(font, YLabel) / 2, plot.MidY, font, ink);
            canvas.Restore();
        }

        canvas.Flush();
        return bitmap;
    }

    /// <summary>Where the plot area lies and how data coordinates map into it, for a page of the given size.</summary>
    internal ChartLayout Layout(int width, int height)
    {
        using SKFont font = LabelFont.Create(FontSize);
        using SKFont titleFont = LabelFont.Create(TitleSize);
        int line = LabelFont.LineHeight(font);
        (double xMin, double xMax) = Padded(_series.SelectMany(s => s.X), 0);
        (double yMin, double yMax) = YRange ?? Padded(_series.SelectMany(s => s.Y), 0.05);
        double[] xTicks = Ticks(xMin, xMax);
        double[] yTicks = Ticks(yMin, yMax);
        float yTickWidth = yTicks.Max(t => LabelFont.Width(font, Format(t)));
        float left = Margin + (YLabel is null ? 0 : line + Margin / 2) + yTickWidth + TickLength + 4;
        float top = Margin + (Title is null ? line / 2f : LabelFont.LineHeight(titleFont) + Margin);
        float bottom = height - Margin - line - TickLength - (XLabel is null ? 0 : line + Margin / 2);
        float right = width - Margin - LabelFont.Width(font, Format(xTicks[^1])) / 2;
        return new ChartLayout(new SKRect(left, top, right, bottom), xMin, xMax, yMin, yMax, xTicks, yTicks);
    }

    private void DrawLegend(SKCanvas canvas, ChartLayout layout, SKFont font, SKPaint ink, SKPaint frame)
    {
        int line = LabelFont.LineHeight(font);
        const float Sample = 20, Gap = 6;
        float textWidth = _series.Max(s => LabelFont.Width(font, s.Name));
        var box = SKRect.Create(layout.Plot.Right - Gap - (Gap + Sample + Gap + textWidth + Gap), layout.Plot.Top + Gap,
            Gap + Sample + Gap + textWidth + Gap, Gap + _series.Count * line + Gap);
        using var fill = new SKPaint { Color = SKColors.White, Style = SKPaintStyle.Fill };
        canvas.DrawRect(box, fill);
        canvas.DrawRect(box, frame);
        for (int s = 0; s < _series.Count; s++)
        {
            float middle = box.Top + Gap + s * line + line / 2f;
            using var sample = new SKPaint { Color = Palette[s % Palette.Count], StrokeWidth = 2, IsAntialias = true };
            canvas.DrawLine(box.Left + Gap, middle, box.Left + Gap + Sample, middle, sample);
            canvas.DrawText(_series[s].Name, box.Left + Gap + Sample + Gap, middle - (font.Metrics.Ascent + font.Metrics.Descent) / 2, font, ink);
        }
    }

    /// <summary>The data range, widened by <paramref name="fraction"/> each side, and to a unit when it is one value.</summary>
    private static (double Min, double Max) Padded(IEnumerable<double> values, double fraction)
    {
        double min = values.Min(), max = values.Max();
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max)))
        {
            return (min - 0.5, max + 0.5);
        }

        double pad = (max - min) * fraction;
        return (min - pad, max + pad);
    }

    /// <summary>About five ticks at a 1, 2 or 5 times power-of-ten step, inside [min, max].</summary>
    internal static double[] Ticks(double min, double max)
    {
        double raw = (max - min) / 5;
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = power * (raw / power) switch { < 1.5 => 1, < 3.5 => 2, < 7.5 => 5, _ => 10 };
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step)
        {
            ticks.Add(Math.Round(t / step) * step);
        }

        return [.. ticks];
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
