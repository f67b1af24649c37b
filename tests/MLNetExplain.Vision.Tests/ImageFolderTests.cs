using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Tests;

public class ImageFolderTests
{
    [Fact]
    public void ClassesAreSortedFolderNamesAndFilesAreSorted()
    {
        using var dir = new TempDirectory();
        WriteImage(dir, "dog", "b.png", 10);
        WriteImage(dir, "dog", "a.PNG", 20);
        WriteImage(dir, "cat", "z.png", 30);
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        Directory.CreateDirectory(Path.Combine(dir.Path, ".hidden"));
        File.WriteAllText(Path.Combine(dir.Path, "dog", "notes.txt"), "not an image");

        ImageFolderListing listing = ImageFolder.Scan(dir.Path);

        Assert.Equal(["cat", "dog", "empty"], listing.ClassNames);
        Assert.Equal(["z.png", "a.PNG", "b.png"], listing.Entries.Select(e => Path.GetFileName(e.Path)));
        Assert.Equal([0, 1, 1], listing.Entries.Select(e => e.Label));
    }

    [Fact]
    public void LoadDecodesIntoPlanarDataset()
    {
        using var dir = new TempDirectory();
        WriteImage(dir, "a", "1.png", 10);
        WriteImage(dir, "b", "1.png", 50);

        ImageDataset data = ImageFolder.Load(dir.Path, channels: 3);

        Assert.Equal((2, 3, 2, 4), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([0, 1], data.Labels);
        // WriteImage puts value + x in red, value + y in green, 0 in blue; planar: plane 1 (green), row 1, column 3.
        Assert.Equal(51, data.Pixels[1 * 24 + 1 * 8 + 1 * 4 + 3]);
        Assert.Equal(53, data.Pixels[1 * 24 + 0 * 8 + 1 * 4 + 3]);
    }

    [Fact]
    public void MissingRootIsReported()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ImageFolder.Scan("/nonexistent/images"));
    }

    private static void WriteImage(TempDirectory dir, string className, string file, byte value)
    {
        var image = new RasterImage(4, 2, 3);
        for (int y = 0; y < 2; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                Span<byte> p = image.GetPixel(x, y);
                (p[0], p[1], p[2]) = ((byte)(value + x), (byte)(value + y), 0);
            }
        }

        ImageCodec.SavePng(Path.Combine(dir.Path, className, file), image);
    }
}
