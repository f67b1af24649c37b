using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Tests;

/// <summary>PNG written by the managed encoder and read back by stb_image, an independent decoder.</summary>
public class ImageCodecTests
{
    private static RasterImage Pattern(int width, int height, int channels)
    {
        var image = new RasterImage(width, height, channels);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (byte)(i * 29 % 256);
        }

        return image;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void PngRoundTripIsExact(int channels)
    {
        RasterImage image = Pattern(17, 9, channels);
        RasterImage decoded = ImageCodec.Decode(ImageCodec.EncodePng(image));
        Assert.Equal((17, 9, channels), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void SavePngWritesAFileThatDecodes()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "sub", "grey.png");
        RasterImage image = Pattern(5, 4, 1);

        ImageCodec.SavePng(path, image);
        ImageCodec.SavePng(path, image); // overwriting is fine

        Assert.Equal(image.Pixels, ImageCodec.Decode(path).Pixels);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
    }

    [Fact]
    public void DecodeConvertsToTheRequestedChannels()
    {
        var grey = new RasterImage([10, 200], 2, 1, 1);
        RasterImage rgb = ImageCodec.Decode(ImageCodec.EncodePng(grey), desiredChannels: 3);
        Assert.Equal(3, rgb.Channels);
        Assert.Equal([10, 10, 10, 200, 200, 200], rgb.Pixels);
    }

    [Fact]
    public void CorruptFileNamesFileAndReason()
    {
        using var dir = new TempDirectory();
        string path = dir.File("broken.png");
        byte[] png = ImageCodec.EncodePng(Pattern(8, 8, 3));
        File.WriteAllBytes(path, png[..20]);
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.True(e.Message.Length > path.Length + 30, e.Message); // stb_image's reason follows the name
    }

    [Fact]
    public void GarbageIsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => ImageCodec.Decode("not an image"u8.ToArray(), name: "junk"));
        Assert.Contains("junk", e.Message);
    }

    [Fact]
    public void PlanarAndInterleavedConvertBothWays()
    {
        RasterImage image = Pattern(3, 2, 3);
        byte[] planar = PixelLayout.ToPlanar(image);
        Assert.Equal(image.GetPixel(2, 1)[1], planar[1 * 6 + 1 * 3 + 2]);
        Assert.Equal(image.Pixels, PixelLayout.FromPlanar(planar, 2, 3, 3).Pixels);
    }
}
