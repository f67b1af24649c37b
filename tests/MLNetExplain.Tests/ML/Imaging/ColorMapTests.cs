using MLNetExplain.ML.Imaging;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Imaging;

public class ColorMapTests
{
    [Fact]
    public void ViridisEndpointsAndMiddleAreMatplotlibsValues()
    {
        Assert.Equal(new SKColor(0x44, 0x01, 0x54), ColorMap.Viridis.Map(0));
        Assert.Equal(new SKColor(0xFD, 0xE7, 0x25), ColorMap.Viridis.Map(1));
        Assert.Equal(new SKColor(0x21, 0x90, 0x8C), ColorMap.Viridis.Map(0.5));
    }

    [Fact]
    public void ViridisGetsLighterMonotonically()
    {
        double previous = -1;
        for (int i = 0; i <= 100; i++)
        {
            SKColor c = ColorMap.Viridis.Map(i / 100.0);
            double luma = 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue;
            Assert.True(luma > previous, $"Luma fell at t = {i / 100.0}.");
            previous = luma;
        }
    }

    [Fact]
    public void DivergingMapIsWhiteAtZeroBlueBelowRedAbove()
    {
        Assert.Equal(SKColors.White, ColorMap.BlueWhiteRed.Map(0.5));
        SKColor low = ColorMap.BlueWhiteRed.Map(0), high = ColorMap.BlueWhiteRed.Map(1);
        Assert.True(low.Blue > low.Red, "0 should be blue.");
        Assert.True(high.Red > high.Blue, "1 should be red.");
    }

    [Fact]
    public void InterpolatesLinearlyClampsAndMapsNaNLikeZero()
    {
        var map = new ColorMap("test", [new SKColor(0, 100, 200), new SKColor(100, 200, 0, 7)]);
        Assert.Equal(new SKColor(25, 125, 150), map.Map(0.25));
        Assert.Equal(255, map.Map(1).Alpha);
        Assert.Equal(map.Map(0), map.Map(-3));
        Assert.Equal(map.Map(1), map.Map(7));
        Assert.Equal(map.Map(0), map.Map(double.NaN));
        Assert.Throws<ArgumentException>(() => new ColorMap("one", [SKColors.Red]));
    }
}
