using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Imaging;
using MLNetExplain.Tests.Datasets;
using SkiaSharp;

namespace MLNetExplain.Tests.ML.Imaging;

/// <summary>
/// ImageAnalytics 5.0.1 binds to SkiaSharp 2 signatures (MLImage.Pixels calls the read-only GetPixelSpan that
/// SkiaSharp 3 replaced), so the central pin must stay on 2.88: these tests fail the build if it moves.
/// </summary>
public class SkiaSharpPinTests
{
    [Fact]
    public void SkiaSharpIsTheVersionImageAnalyticsWasBuiltFor()
    {
        Assert.Equal(2, typeof(SKBitmap).Assembly.GetName().Version!.Major);
    }

    [Fact]
    public void MLImagePixelsExtractPixelsAndAChartWorkInOneProcess()
    {
        // Our conversions and MLImage's own pixel access.
        using SKBitmap bitmap = PlanarPixels.ToBitmap([10, 20, 30, 40, 50, 60], 3, 1, 2);
        using MLImage image = bitmap.ToMLImage();
        Assert.Equal((2, 1, MLPixelFormat.Bgra32), (image.Width, image.Height, image.PixelFormat));
        // Planar R = (10, 20), G = (30, 40), B = (50, 60); MLImage holds them interleaved as BGRA.
        Assert.Equal([50, 30, 10, 255, 60, 40, 20, 255], image.Pixels.ToArray());
        using SKBitmap back = image.ToSKBitmap();
        Assert.Equal(new SKColor(20, 40, 60), back.GetPixel(1, 0));

        // ImageAnalytics' ExtractPixels over MLImage objects.
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable([new ImageRow { Image = image }]);
        float[] pixels = ml.Transforms.ExtractPixels("Pixels", "Image")
            .Fit(data).Transform(data).GetColumn<float[]>("Pixels").Single();
        Assert.Equal([10f, 20f, 30f, 40f, 50f, 60f], pixels);

        // A chart rendered by the same SkiaSharp, saved by MLImage.
        byte[] png = new LineChart { Title = "t" }.AddSeries("a", [0, 1], [0, 1]).RenderPng(200, 120);
        using var chart = MLImage.CreateFromStream(new MemoryStream(png));
        Assert.Equal((200, 120), (chart.Width, chart.Height));
        using var dir = new TempDirectory();
        chart.Save(dir.File("chart.png"));
        using SKBitmap saved = PngFile.Load(dir.File("chart.png"));
        Assert.Equal((200, 120), (saved.Width, saved.Height));
    }

    private sealed class ImageRow
    {
        [Microsoft.ML.Transforms.Image.ImageType(1, 2)]
        public MLImage Image { get; set; } = null!;
    }
}
