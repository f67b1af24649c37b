using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Data;
using MLNetExplain.Tests.Datasets;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Data;

/// <summary>Image folders listed by <c>LoadImageFolder</c> and decoded by ImageAnalytics' own stages.</summary>
public class ImageFolderTests
{
    private const int Width = 5, Height = 4;
    private readonly MLContext _ml = new(seed: 1);

    /// <summary>The colour of pixel (x, y) of an image whose base value is <paramref name="value"/>.</summary>
    private static (byte R, byte G, byte B) Colour(byte value, int x, int y) =>
        ((byte)(value + 10 * x), (byte)(value + 20 * y), (byte)(200 - value));

    /// <summary>Writes a Width x Height PNG with SkiaSharp directly (not through the code under test).</summary>
    private static void WritePng(string path, byte value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                (byte r, byte g, byte b) = Colour(value, x, y);
                bitmap.SetPixel(x, y, new SKColor(r, g, b));
            }
        }

        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
    }

    [Fact]
    public void ScanSortsClassesAndFilesAndSkipsHiddenAndOtherFiles()
    {
        using var dir = new TempDirectory();
        WritePng(Path.Combine(dir.Path, "dog", "b.png"), 10);
        WritePng(Path.Combine(dir.Path, "dog", "a.PNG"), 20);
        WritePng(Path.Combine(dir.Path, "cat", "z.png"), 30);
        WritePng(Path.Combine(dir.Path, ".hidden", "x.png"), 30);
        WritePng(Path.Combine(dir.Path, "dog", ".x.png"), 30);
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        File.WriteAllText(Path.Combine(dir.Path, "dog", "notes.txt"), "not an image");

        ImageFolderListing listing = ImageFolder.Scan(dir.Path);

        Assert.Equal(["cat", "dog", "empty"], listing.ClassNames);
        Assert.Equal(["z.png", "a.PNG", "b.png"], listing.Entries.Select(e => Path.GetFileName(e.Path)));
        Assert.Equal([0, 1, 1], listing.Entries.Select(e => e.Label));
        Assert.All(listing.Entries, e => Assert.True(Path.IsPathFullyQualified(e.Path)));
    }

    [Fact]
    public void ListingViewHasPathTextAndKeyLabelWithFolderNames()
    {
        using var dir = new TempDirectory();
        WritePng(Path.Combine(dir.Path, "dog", "1.png"), 10);
        WritePng(Path.Combine(dir.Path, "cat", "1.png"), 20);

        IDataView files = _ml.Data.LoadImageFolder(dir.Path);

        Assert.Equal(TextDataViewType.Instance, files.Schema["ImagePath"].Type);
        Assert.Equal(new KeyDataViewType(typeof(uint), 2), files.Schema["Label"].Type);
        Assert.Equal([1u, 2u], files.GetColumn<uint>("Label"));
        IDataView named = _ml.Transforms.Conversion.MapKeyToValue("Class", "Label").Fit(files).Transform(files);
        Assert.Equal(["cat", "dog"], named.GetColumn<ReadOnlyMemory<char>>("Class").Select(c => c.ToString()));
        Assert.EndsWith(Path.Combine("cat", "1.png"), files.GetColumn<ReadOnlyMemory<char>>("ImagePath").First().ToString());

        IDataView renamed = _ml.Data.LoadImageFolder(dir.Path, "File", "Animal");
        Assert.Equal(["File", "Animal"], renamed.Schema.Select(c => c.Name));
    }

    [Fact]
    public void ImageAnalyticsPipelineDecodesToTheSameFeaturesAsTheDatasetViews()
    {
        using var dir = new TempDirectory();
        WritePng(Path.Combine(dir.Path, "a", "1.png"), 10);
        WritePng(Path.Combine(dir.Path, "b", "1.png"), 50);

        IDataView files = _ml.Data.LoadImageFolder(dir.Path);
        var pipeline = _ml.Transforms.LoadImages("Image", imageFolder: null!, "ImagePath")
            .Append(_ml.Transforms.ResizeImages("Image", Width, Height))
            .Append(_ml.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255));
        IDataView decoded = pipeline.Fit(files).Transform(files);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3, Height, Width), decoded.Schema["Features"].Type);
        float[][] features = [.. decoded.GetColumn<float[]>("Features")];

        // The same pixels as an ImageDataset, planar, through our view.
        var pixels = new byte[2 * 3 * Height * Width];
        byte[] bases = [10, 50];
        for (int i = 0; i < 2; i++)
        {
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    (byte r, byte g, byte b) = Colour(bases[i], x, y);
                    int p = i * 3 * Height * Width + y * Width + x;
                    (pixels[p], pixels[p + Height * Width], pixels[p + 2 * Height * Width]) = (r, g, b);
                }
            }
        }

        IDataView ours = _ml.Data.LoadFromImageDataset(new ImageDataset(pixels, [0, 1], 3, Height, Width, ["a", "b"]));
        float[][] expected = [.. ours.GetColumn<float[]>("Features")];
        Assert.Equal(ours.Schema["Features"].Type, decoded.Schema["Features"].Type);
        for (int i = 0; i < 2; i++)
        {
            for (int k = 0; k < expected[i].Length; k++)
            {
                // x / 255 (ours) and x * (1 / 255) (ExtractPixels) differ by at most one rounding step.
                Assert.Equal(expected[i][k], features[i][k], 1e-7f);
            }
        }

        Assert.Equal(decoded.GetColumn<uint>("Label"), ours.GetColumn<uint>("Label"));
    }

    [Fact]
    public void GreyscalePipelineGivesOneChannel()
    {
        using var dir = new TempDirectory();
        WritePng(Path.Combine(dir.Path, "a", "1.png"), 10);

        IDataView files = _ml.Data.LoadImageFolder(dir.Path);
        var pipeline = _ml.Transforms.LoadImages("Image", imageFolder: dir.Path, "ImagePath")
            .Append(_ml.Transforms.ResizeImages("Image", 3, 2))
            .Append(_ml.Transforms.ConvertToGrayscale("Image"))
            .Append(_ml.Transforms.ExtractPixels("Features", "Image",
                colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255));
        IDataView decoded = pipeline.Fit(files).Transform(files);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 2, 3), decoded.Schema["Features"].Type);
        float[] grey = decoded.GetColumn<float[]>("Features").Single();
        Assert.All(grey, v => Assert.InRange(v, 0f, 1f));
    }
}
