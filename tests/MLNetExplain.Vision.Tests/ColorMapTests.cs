using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Tests;

public class ColorMapTests
{
    [Fact]
    public void ViridisEndpointsAndMiddle()
    {
        Assert.Equal(((byte)0x44, (byte)0x01, (byte)0x54), ColorMap.Viridis.Map(0));
        Assert.Equal(((byte)0xFD, (byte)0xE7, (byte)0x25), ColorMap.Viridis.Map(1));
        Assert.Equal(((byte)0x21, (byte)0x90, (byte)0x8C), ColorMap.Viridis.Map(0.5));
    }

    [Fact]
    public void ViridisGetsLighterMonotonically()
    {
        double previous = -1;
        for (int i = 0; i <= 100; i++)
        {
            (byte r, byte g, byte b) = ColorMap.Viridis.Map(i / 100.0);
            double luma = 0.299 * r + 0.587 * g + 0.114 * b;
            Assert.True(luma > previous, $"Luma fell at t = {i / 100.0}.");
            previous = luma;
        }
    }

    [Fact]
    public void DivergingMapIsWhiteAtZero()
    {
        Assert.Equal(((byte)255, (byte)255, (byte)255), ColorMap.BlueWhiteRed.Map(0.5));
        (byte r0, _, byte b0) = ColorMap.BlueWhiteRed.Map(0);
        (byte r1, _, byte b1) = ColorMap.BlueWhiteRed.Map(1);
        Assert.True(b0 > r0, "0 should be blue.");
        Assert.True(r1 > b1, "1 should be red.");
    }

    [Fact]
    public void InterpolatesLinearlyAndClamps()
    {
        var map = new ColorMap("test", [(0, 100, 200), (100, 200, 0)]);
        Assert.Equal(((byte)25, (byte)125, (byte)150), map.Map(0.25));
        Assert.Equal(map.Map(0), map.Map(-3));
        Assert.Equal(map.Map(1), map.Map(7));
        Assert.Equal(map.Map(0), map.Map(double.NaN));
    }
}
