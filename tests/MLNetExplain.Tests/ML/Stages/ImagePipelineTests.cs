using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetExplain.Attribution;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Stages;
using MLNetExplain.Tests.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.ML.Stages;

/// <summary>The stage behind ML.NET's own ExtractPixels, on real Fashion-MNIST images.</summary>
public class ImagePipelineTests
{
    private sealed class Photo
    {
        [ImageType(28, 28)]
        public MLImage Image { get; set; } = null!;

        public int Index { get; set; }
    }

    private sealed class Explained
    {
        public int Index { get; set; }

        [ImageType(28, 28)]
        public MLImage Image { get; set; } = null!;

        public float[] Saliency { get; set; } = [];
    }

    [Fact]
    public void SaliencyAfterExtractPixelsEqualsTheMethodOnTheSameTensorsAndImagesPassThrough()
    {
        const int count = 70;
        var dataset = FashionMnist.Load(DatasetSplit.Test).Slice(0, count);
        var ml = new MLContext(seed: 1);
        var photos = Enumerable.Range(0, count).Select(i => new Photo { Image = Bgra(dataset.GetImage(i)), Index = i }).ToList();
        var data = ml.Data.LoadFromEnumerable(photos);
        manual_seed(11);
        var model = new TinyConvClassifier(inChannels: 1, size: 28, classes: 10);

        var pipeline = ml.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1 / 255f)
            .Append(ml.Transforms.Saliency(model, new SaliencyAttributionOptions { Absolute = false, BatchSize = 32 }));
        var output = pipeline.Fit(data).Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), output.Schema["Features"].Type);

        // Image objects pass through beside the maps although the stage reads 32 rows ahead.
        var rows = ml.Data.CreateEnumerable<Explained>(output, reuseRowObject: false).ToList();
        var (images, _) = dataset.ToTensors(0, count);
        using var maps = new Saliency(model, absolute: false).Attribute(images, model.call(images).argmax(1));
        var expected = maps.view(count, -1).data<float>().ToArray();
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(i, rows[i].Index);
            Assert.Equal(dataset.GetImage(i)[100], rows[i].Image.Pixels[4 * 100 + 2]);
            var want = expected.AsSpan(i * 784, 784).ToArray();
            var scale = want.Max(Math.Abs);
            Assert.True(scale > 0);
            Assert.All(want.Zip(rows[i].Saliency), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 * scale, $"row {i}: {p.First} vs {p.Second}"));
        }
    }

    private static MLImage Bgra(ReadOnlySpan<byte> gray)
    {
        var bgra = new byte[gray.Length * 4];
        for (var p = 0; p < gray.Length; p++)
        {
            bgra[4 * p] = bgra[4 * p + 1] = bgra[4 * p + 2] = gray[p];
            bgra[4 * p + 3] = 255;
        }

        return MLImage.CreateFromPixels(28, 28, MLPixelFormat.Bgra32, bgra);
    }
}
