using MLNetExplain.ML.Imaging;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Imaging;

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
        Assert.Throws<ArgumentException>(() => HeatmapRenderer.CumulativeSumThreshold([-1f, 2f], 98));
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
        // Two channels of 1x2: per-pixel sums are 3 and -1.
        float[] attribution = [1, -3, 2, 2];
        Assert.Equal([3f, -1f], HeatmapRenderer.SumChannels(attribution, 2, 1, 2));
        Assert.Equal([1f, 1f / 3f], HeatmapRenderer.Normalize(attribution, 2, 1, 2, HeatmapSign.Absolute, outlierPercent: 0));
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
    public void NothingOfTheChosenSignRendersBlankAndBadInputIsRejected()
    {
        Assert.Equal([0f, 0f], HeatmapRenderer.Normalize([-1f, -2f], 1, 1, 2, HeatmapSign.Positive));
        Assert.Throws<ArgumentException>(() => HeatmapRenderer.Normalize([1f, float.NaN], 1, 1, 2));
        var e = Assert.Throws<ArgumentException>(() => HeatmapRenderer.Render(new float[5], 1, 2, 3));
        Assert.Contains("1x2x3", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            HeatmapRenderer.Render(new float[6], 1, 2, 3, new HeatmapOptions { OutlierPercent = 101 }));
    }

    [Fact]
    public void RenderedPixelsAreTheMapsColoursOfAClosedFormRamp()
    {
        // A 2x3 ramp 0..5 with no outliers normalises to v / 5, so pixel p is Viridis(p / 5).
        float[] ramp = [0, 1, 2, 3, 4, 5];
        using SKBitmap heat = HeatmapRenderer.Render(ramp, 1, 2, 3, new HeatmapOptions { OutlierPercent = 0 });
        Assert.Equal((3, 2), (heat.Width, heat.Height));
        for (int p = 0; p < 6; p++)
        {
            Assert.Equal(ColorMap.Viridis.Map(p / 5.0), heat.GetPixel(p % 3, p / 3));
        }

        using SKBitmap signed = HeatmapRenderer.Render([-1, 0, 1], 1, 1, 3,
            new HeatmapOptions { Sign = HeatmapSign.All, OutlierPercent = 0 });
        Assert.Equal(ColorMap.BlueWhiteRed.Map(0), signed.GetPixel(0, 0));
        Assert.Equal(SKColors.White, signed.GetPixel(1, 0));
        Assert.Equal(ColorMap.BlueWhiteRed.Map(1), signed.GetPixel(2, 0));
    }

    [Fact]
    public void OverlayBlendsTheGreyImageWithAlpha()
    {
        // An RGB image of two pixels, planar: R plane, G plane, B plane. Pixel 1 averages to 100.
        byte[] image = [30, 60, 60, 90, 90, 150];
        using SKBitmap blended = HeatmapRenderer.Overlay([0, 1], 1, 1, 2, image, 3, new HeatmapOptions { OutlierPercent = 0 });

        SKColor heat = ColorMap.Viridis.Map(1);
        Assert.Equal(new SKColor(Half(heat.Red), Half(heat.Green), Half(heat.Blue)), blended.GetPixel(1, 0));

        // In colour, each channel blends with its own plane: pixel 0 is (30, 60, 90) under Viridis(0).
        using SKBitmap coloured = HeatmapRenderer.Overlay([0, 1], 1, 1, 2, image, 3,
            new HeatmapOptions { OutlierPercent = 0, GreyBackground = false, Alpha = 0.25 });
        SKColor zero = ColorMap.Viridis.Map(0);
        Assert.Equal(new SKColor(Blend(30, zero.Red), Blend(60, zero.Green), Blend(90, zero.Blue)), coloured.GetPixel(0, 0));

        static byte Half(byte h) => (byte)Math.Round(50 + h / 2.0);
        static byte Blend(byte background, byte h) => (byte)Math.Round(0.75 * background + 0.25 * h);
    }

    [Fact]
    public void FloatImagesInUnitRangeAreScaledLikeBytesAndBitmapsLikePlanarBytes()
    {
        using SKBitmap fromFloat = HeatmapRenderer.Overlay([1, 2], 1, 1, 2, [0.2f, 1f], 1);
        using SKBitmap fromBytes = HeatmapRenderer.Overlay([1, 2], 1, 1, 2, [51, 255], 1);
        Assert.Equal(fromBytes.GetPixel(0, 0), fromFloat.GetPixel(0, 0));
        Assert.Equal(fromBytes.GetPixel(1, 0), fromFloat.GetPixel(1, 0));

        using SKBitmap picture = PlanarPixels.ToBitmap([51, 255], 1, 1, 2);
        using SKBitmap fromBitmap = HeatmapRenderer.Overlay([1, 2], 1, picture);
        Assert.Equal(fromBytes.GetPixel(1, 0), fromBitmap.GetPixel(1, 0));
    }

    [Fact]
    public void AlphaZeroShowsOnlyTheImage()
    {
        using SKBitmap blended = HeatmapRenderer.Overlay([5f, 1f], 1, 1, 2, [7, 9], 1, new HeatmapOptions { Alpha = 0 });
        Assert.Equal(new SKColor(7, 7, 7), blended.GetPixel(0, 0));
        Assert.Equal(new SKColor(9, 9, 9), blended.GetPixel(1, 0));
    }

    [Fact]
    public void PlanarPixelsRoundTripAndMagnify()
    {
        byte[] planar = [.. Enumerable.Range(0, 3 * 2 * 3).Select(i => (byte)(i * 13))];
        using SKBitmap bitmap = PlanarPixels.ToBitmap(planar, 3, 2, 3);
        Assert.Equal(new SKColor(planar[4], planar[6 + 4], planar[12 + 4]), bitmap.GetPixel(1, 1));
        Assert.Equal(planar, PlanarPixels.FromBitmap(bitmap));

        using SKBitmap big = PlanarPixels.Magnify(bitmap, 3);
        Assert.Equal((9, 6), (big.Width, big.Height));
        Assert.Equal(bitmap.GetPixel(1, 1), big.GetPixel(3, 3));
        Assert.Equal(bitmap.GetPixel(1, 1), big.GetPixel(5, 5));
        Assert.Equal(bitmap.GetPixel(2, 1), big.GetPixel(6, 5));
    }
}
