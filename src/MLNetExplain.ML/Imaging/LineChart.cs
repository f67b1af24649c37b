namespace MLNetExplain.ML.Imaging;

/// <summary>
/// A titled line chart of one or more named series rendered to PNG with ScottPlot, e.g. the deletion and insertion
/// curves of an attribution method (fraction of pixels removed against the model's score) for an HTML report.
/// </summary>
public sealed class LineChart
{
    private readonly List<(string Name, double[] X, double[] Y)> _series = [];

    /// <summary>The title drawn above the chart; none when null.</summary>
    public string? Title { get; init; }

    /// <summary>The label of the horizontal axis; none when null.</summary>
    public string? XLabel { get; init; }

    /// <summary>The label of the vertical axis; none when null.</summary>
    public string? YLabel { get; init; }

    /// <summary>Fixed vertical range (minimum, maximum), e.g. (0, 1) for probabilities; automatic when null.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>The series added so far, in order.</summary>
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
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (_series.Count == 0)
        {
            throw new InvalidOperationException("The chart has no series; call AddSeries first.");
        }

        using var plot = new ScottPlot.Plot();
        foreach ((string name, double[] x, double[] y) in _series)
        {
            ScottPlot.Plottables.Scatter line = plot.Add.ScatterLine(x, y);
            line.LegendText = name;
        }

        if (Title is not null)
        {
            plot.Title(Title);
        }

        if (XLabel is not null)
        {
            plot.XLabel(XLabel);
        }

        if (YLabel is not null)
        {
            plot.YLabel(YLabel);
        }

        if (YRange is { } range)
        {
            plot.Axes.SetLimitsY(range.Min, range.Max);
        }

        plot.ShowLegend();
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Renders the chart and writes it as a PNG file, atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="width">Width in pixels. Default 640.</param>
    /// <param name="height">Height in pixels. Default 400.</param>
    public void SavePng(string path, int width = 640, int height = 400) =>
        PngFile.WriteAtomically(path, RenderPng(width, height));
}
