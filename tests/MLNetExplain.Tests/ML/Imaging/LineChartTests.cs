using MLNetExplain.ML.Imaging;
using MLNetExplain.Tests.Datasets;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Imaging;

public class LineChartTests
{
    [Fact]
    public void CurvesAreDrawnWhereTheirDataMapsInTheirPaletteColour()
    {
        double[] x = [0, 0.25, 0.5, 0.75, 1];
        var chart = new LineChart { Title = "Deletion", XLabel = "fraction removed", YLabel = "score", YRange = (0, 1) }
            .AddSeries("flat", x, [0.5, 0.5, 0.5, 0.5, 0.5])
            .AddSeries("falling", x, [1, 0.75, 0.5, 0.25, 0]);

        using var dir = new TempDirectory();
        chart.SavePng(dir.File("curves.png"), 480, 320);
        using SKBitmap page = PngFile.Load(dir.File("curves.png"));
        Assert.Equal((480, 320), (page.Width, page.Height));

        ChartLayout layout = chart.Layout(480, 320);
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1], layout.YTicks.Select(t => Math.Round(t, 9)));

        // The flat series runs at y = 0.5; away from the crossing and the legend its pixels carry colour 0.
        int y = (int)Math.Round(layout.MapY(0.5));
        int xAt = (int)layout.MapX(0.1);
        Assert.True(Near(page, xAt, y, LineChart.Palette[0]), "The flat curve is missing.");
        // The falling series passes (0.1, 0.9).
        Assert.True(Near(page, xAt, (int)Math.Round(layout.MapY(0.9)), LineChart.Palette[1]), "The falling curve is missing.");

        // The title band above the plot has ink.
        int ink = 0;
        for (int yy = 0; yy < (int)layout.Plot.Top; yy++)
        {
            for (int xx = 0; xx < page.Width; xx++)
            {
                ink += page.GetPixel(xx, yy) == SKColors.White ? 0 : 1;
            }
        }

        Assert.True(ink > 30, "The title left no ink.");
    }

    [Fact]
    public void BadSeriesAndEmptyChartsAreRejected()
    {
        var chart = new LineChart();
        Assert.Throws<InvalidOperationException>(() => chart.RenderPng());
        Assert.Throws<ArgumentException>(() => chart.AddSeries("a", [0, 1], [1]));
        Assert.Throws<ArgumentException>(() => chart.AddSeries("a", [0, 1], [1, double.NaN]));
    }

    [Fact]
    public void TicksFollowTheOneTwoFiveRule()
    {
        Assert.Equal([0, 2, 4, 6, 8, 10], LineChart.Ticks(0, 10));
        Assert.DoesNotContain(LineChart.Ticks(0, 1), double.IsNegative);
        Assert.Equal([0, 20, 40, 60, 80, 100, 120, 140, 160], LineChart.Ticks(-3, 170));
        Assert.Equal([-0.5, 0, 0.5, 1, 1.5, 2, 2.5], LineChart.Ticks(-0.5, 2.7));
    }

    /// <summary>Whether a pixel within 2 rows of (x, y) has the colour (antialiasing blurs the exact row).</summary>
    private static bool Near(SKBitmap page, int x, int y, SKColor colour)
    {
        for (int dy = -2; dy <= 2; dy++)
        {
            SKColor c = page.GetPixel(x, y + dy);
            if (Math.Abs(c.Red - colour.Red) + Math.Abs(c.Green - colour.Green) + Math.Abs(c.Blue - colour.Blue) < 30)
            {
                return true;
            }
        }

        return false;
    }
}
