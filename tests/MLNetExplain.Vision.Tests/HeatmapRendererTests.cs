using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Tests;

/// <summary>Captum's visualize_image_attr conventions on hand-made attributions.</summary>
public class HeatmapRendererTests
{
    private static float[] OneToHundred() => [.. Enumerable.Range(1, 100).Select(i => (float)i)];

    [Fact]
    public void ThresholdIsWhereTheRunningSumReaches98Percent()
    {
        // 1..100 sums to 5050; 98 % is 4949; the running sum is 4851 at 98 and 4950 at 99.
        Assert.Equal(99, HeatmapRenderer.CumulativeSumThreshold(OneToHundred(), 98));
        Assert.Equal(100, HeatmapRenderer.CumulativeSumThreshold(OneToHundred(), 100));
        Assert.Equal(0, HeatmapRenderer.CumulativeSumThreshold(new float[5], 98));
    }

    [Fact]
    public void DefaultNormalisationSaturatesTheTopTwoPercentOfMass()
    {
        float[] n = HeatmapRenderer.Normalize(OneToHundred(), 1, 10, 10);
        Assert.Equal(1f, n[99]); // 100 / 99 clipped
        Assert.Equal(1f, n[98]); // 99 / 99
        Assert.Equal(98f / 99f, n[97], 6);
        Assert.Equal(1f / 99f, n[0], 6);
    }

    [Fact]
    public void ChannelsAreSummedBeforeNormalising()
    {
        // Two channels of 2x1: per-pixel sums are 3 and -1.
        float[] attribution = [1, -3, 2, 2];
        Assert.Equal([3f, -1f], HeatmapRenderer.SumChannels(attribution, 2, 1, 2));
        float[] n = HeatmapRenderer.Normalize(attribution, 2, 1, 2, HeatmapSign.Absolute, outlierPercent: 0);
        Assert.Equal([1f, 1f / 3f], n);
    }

    [Fact]
    public void SignModesKeepTheirValues()
    {
        float[] attribution = [-4, -2, 0, 1, 3];
        Assert.Equal([0f, 0f, 0f, 1f / 3f, 1f], Normalize(attribution, HeatmapSign.Positive));
        Assert.Equal([1f, 0.5f, 0f, 0f, 0f], Normalize(attribution, HeatmapSign.Negative));
        Assert.Equal([1f, 0.5f, 0f, 0.25f, 0.75f], Normalize(attribution, HeatmapSign.Absolute));
        Assert.Equal([-1f, -0.5f, 0f, 0.25f, 0.75f], Normalize(attribution, HeatmapSign.All));

        static float[] Normalize(float[] a, HeatmapSign sign) =>
            HeatmapRenderer.Normalize(a, 1, 1, a.Length, sign, outlierPercent: 0);
    }

    [Fact]
    public void NothingOfTheChosenSignRendersBlank()
    {
        float[] n = HeatmapRenderer.Normalize([-1f, -2f], 1, 1, 2, HeatmapSign.Positive);
        Assert.Equal([0f, 0f], n);
    }

    [Fact]
    public void NonFiniteAttributionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => HeatmapRenderer.Normalize([1f, float.NaN], 1, 1, 2));
    }

    [Fact]
    public void RenderUsesSequentialOrDivergingMap()
    {
        float[] attribution = [-1, 0, 1];
        RasterImage absolute = HeatmapRenderer.Render(attribution, 1, 1, 3,
            new HeatmapOptions { OutlierPercent = 0 });
        Assert.Equal(ColorMap.Viridis.Map(1), Rgb(absolute, 0));
        Assert.Equal(ColorMap.Viridis.Map(0), Rgb(absolute, 1));

        RasterImage signed = HeatmapRenderer.Render(attribution, 1, 1, 3,
            new HeatmapOptions { Sign = HeatmapSign.All, OutlierPercent = 0 });
        Assert.Equal(ColorMap.BlueWhiteRed.Map(0), Rgb(signed, 0));
        Assert.Equal(((byte)255, (byte)255, (byte)255), Rgb(signed, 1));
        Assert.Equal(ColorMap.BlueWhiteRed.Map(1), Rgb(signed, 2));
    }

    [Fact]
    public void OverlayBlendsGreyImageWithAlpha()
    {
        float[] attribution = [0, 1];
        // An RGB image of two pixels, planar: R plane, G plane, B plane. Pixel 1 averages to 100.
        byte[] image = [30, 60, 60, 90, 90, 150];
        RasterImage blended = HeatmapRenderer.Overlay(attribution, 1, 1, 2, image, 3,
            new HeatmapOptions { OutlierPercent = 0 });

        (byte r, byte g, byte b) heat = ColorMap.Viridis.Map(1);
        Assert.Equal(
            ((byte)Math.Round(50 + heat.r / 2.0), (byte)Math.Round(50 + heat.g / 2.0), (byte)Math.Round(50 + heat.b / 2.0)),
            Rgb(blended, 1));
    }

    [Fact]
    public void FloatImagesInUnitRangeAreScaledLikeBytes()
    {
        float[] attribution = [1, 2];
        RasterImage fromFloat = HeatmapRenderer.Overlay(attribution, 1, 1, 2, [0.2f, 1f], 1);
        RasterImage fromBytes = HeatmapRenderer.Overlay(attribution, 1, 1, 2, [51, 255], 1);
        Assert.Equal(fromBytes.Pixels, fromFloat.Pixels);
    }

    [Fact]
    public void AlphaZeroShowsOnlyTheImage()
    {
        RasterImage blended = HeatmapRenderer.Overlay([5f, 1f], 1, 1, 2, [7, 9], 1, new HeatmapOptions { Alpha = 0 });
        Assert.Equal([7, 7, 7, 9, 9, 9], blended.Pixels);
    }

    private static (byte, byte, byte) Rgb(RasterImage image, int x)
    {
        Span<byte> p = image.GetPixel(x, 0);
        return (p[0], p[1], p[2]);
    }
}
