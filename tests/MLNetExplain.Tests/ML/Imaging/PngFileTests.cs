using MLNetExplain.ML.Imaging;
using MLNetExplain.Tests.Datasets;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Imaging;

public class PngFileTests
{
    [Fact]
    public void PngRoundTripIsLosslessAndStartsWithThePngSignature()
    {
        byte[] planar = [.. Enumerable.Range(0, 3 * 5 * 7).Select(i => (byte)(i * 31 % 256))];
        using SKBitmap bitmap = PlanarPixels.ToBitmap(planar, 3, 5, 7);
        byte[] png = PngFile.Encode(bitmap);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

        using var dir = new TempDirectory();
        string path = dir.File("sub/folder/image.png");
        PngFile.Save(bitmap, path);
        using SKBitmap decoded = PngFile.Load(path);
        Assert.Equal(planar, PlanarPixels.FromBitmap(decoded));

        // Decoding with SkiaSharp directly agrees.
        using SKBitmap direct = SKBitmap.Decode(path);
        Assert.Equal(bitmap.GetPixel(6, 4), direct.GetPixel(6, 4));
    }

    [Fact]
    public void SavingReplacesAtomicallyAndLeavesNoTemporaryFiles()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.png");
        using SKBitmap red = PlanarPixels.ToBitmap([255, 0, 0], 3, 1, 1);
        using SKBitmap blue = PlanarPixels.ToBitmap([0, 0, 255], 3, 1, 1);
        PngFile.Save(red, path);
        PngFile.Save(blue, path);

        using SKBitmap decoded = PngFile.Load(path);
        Assert.Equal(SKColors.Blue, decoded.GetPixel(0, 0));
        Assert.Equal(["out.png"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void MissingAndCorruptFilesAreNamed()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<FileNotFoundException>(() => PngFile.Load(dir.File("none.png")));
        Assert.Contains("none.png", missing.Message);

        File.WriteAllBytes(dir.File("broken.png"), [0x89, (byte)'P', 1, 2, 3]);
        var corrupt = Assert.Throws<InvalidDataException>(() => PngFile.Load(dir.File("broken.png")));
        Assert.Contains("broken.png", corrupt.Message);
    }
}
