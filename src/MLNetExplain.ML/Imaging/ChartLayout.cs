using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>Where a <see cref="LineChart"/>'s plot area lies on the page and how data coordinates map into it.</summary>
/// <param name="Plot">The plot area in page pixels.</param>
/// <param name="XMin">Data value at the left edge.</param>
/// <param name="XMax">Data value at the right edge.</param>
/// <param name="YMin">Data value at the bottom edge.</param>
/// <param name="YMax">Data value at the top edge.</param>
/// <param name="XTicks">Tick values on the horizontal axis.</param>
/// <param name="YTicks">Tick values on the vertical axis.</param>
internal sealed record ChartLayout(
    SKRect Plot, double XMin, double XMax, double YMin, double YMax, double[] XTicks, double[] YTicks)
{
    /// <summary>The page column of data value <paramref name="x"/>.</summary>
    public float MapX(double x) => (float)(Plot.Left + (x - XMin) / (XMax - XMin) * Plot.Width);

    /// <summary>The page row of data value <paramref name="y"/> (larger values higher up).</summary>
    public float MapY(double y) => (float)(Plot.Bottom - (y - YMin) / (YMax - YMin) * Plot.Height);
}
