using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Tests;

public class VisionPipelineTests
{
    private readonly ExplainContext _context = new(seed: 11);

    private static List<float[]> Vectors(IDataView view, string column) => view.GetColumn<float[]>(column).ToList();

    private IDataView SmallImages(int n = 6)
    {
        var pixels = Enumerable.Range(0, n * 3 * 4 * 5).Select(i => (byte)(i * 7 % 256)).ToArray();
        var dataset = new ImageDataset(pixels, Enumerable.Range(0, n).Select(i => i % 2).ToArray(), 3, 4, 5, ["even", "odd"]);
        return _context.Data.LoadFromImageDataset(dataset);
    }

    [Fact]
    public void FashionMnistViewHasImageAndKeyLabelWithClassNames()
    {
        var view = _context.Data.LoadFashionMnist(DatasetSplit.Test);
        Assert.Equal(10000, view.GetRowCount());
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Byte, 1, 28, 28), view.Schema["Image"].Type);
        Assert.Equal(new KeyDataViewType(10), view.Schema["Label"].Type);
        Assert.Equal("Ankle boot", view.Schema["Label"].Annotations.KeyValues![9]);
        using var batches = new TensorBatchCursor(view, "Image", 256, "Label");
        Assert.True(batches.MoveNext());
        Assert.Equal(ScalarType.UInt8, batches.Features.Type);
        Assert.Equal(9L, batches.Labels!.ToArray<long>()[0]);
    }

    [Fact]
    public void ExtractPixelsAndLearnedNormalisation()
    {
        var data = SmallImages();
        var pipeline = _context.Transforms.ExtractPixels("Pixels", "Image", scaleImage: 1 / 255f)
            .Append(_context.Transforms.NormalizeImage("Features", "Pixels"));
        var model = pipeline.Fit(data);
        var raw = Vectors(model.Transform(data), "Pixels");
        Assert.Equal(7 / 255f, raw[0][1], 6);
        // Each channel of the normalised output has mean 0 and population std 1 over all rows and pixels.
        var features = Vectors(model.Transform(data), "Features");
        for (var c = 0; c < 3; c++)
        {
            var values = features.SelectMany(f => f.Skip(c * 20).Take(20)).Select(v => (double)v).ToArray();
            Assert.Equal(0, values.Average(), 5);
            Assert.Equal(1, Math.Sqrt(values.Select(v => v * v).Average()), 4);
        }

        var given = _context.Transforms.NormalizeImage("Features", "Pixels", [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]);
        var fixedValues = Vectors(_context.Transforms.ExtractPixels("Pixels", "Image", scaleImage: 1 / 255f).Append(given).Fit(data).Transform(data), "Features");
        Assert.Equal((7 / 255f - 0.5f) / 0.25f, fixedValues[0][1], 5);
    }

    [Fact]
    public void WrongChannelCountFailsBeforeFitting()
    {
        var data = SmallImages();
        var pipeline = _context.Transforms.ExtractPixels("Pixels", "Image")
            .Append(_context.Transforms.NormalizeImage("Features", "Pixels", [0.5f], [0.2f]));
        var ex = Assert.Throws<SchemaMismatchException>(() => pipeline.Fit(data));
        Assert.Contains("'Pixels'", ex.Message);
        Assert.Contains("1 channels", ex.Message);
        var wrongType = _context.Transforms.ExtractPixels("Pixels", "Label");
        ex = Assert.Throws<SchemaMismatchException>(() => wrongType.Fit(data));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("CHW", ex.Message);
    }

    [Fact]
    public void ResizeMatchesLibtorchBilinear()
    {
        var data = SmallImages(2);
        var resized = _context.Transforms.ExtractPixels("Pixels", "Image").Append(_context.Transforms.ResizeImages("Small", 3, 7, "Pixels"))
            .Fit(data).Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3, 7, 3), resized.Schema["Small"].Type);
        var ours = Vectors(resized, "Small");
        var inputs = Vectors(resized, "Pixels");
        using var scope = Torch.Torch.NewDisposeScope();
        for (var i = 0; i < 2; i++)
        {
            var reference = Functional.Interpolate(Tensor.From(inputs[i], 1, 3, 4, 5), 7, 3, InterpolationMode.Bilinear).ToArray<float>();
            Assert.Equal(reference.Length, ours[i].Length);
            for (var k = 0; k < reference.Length; k++)
            {
                Assert.Equal(reference[k], ours[i][k], 3);
            }
        }
    }

    [Fact]
    public void AugmentationIsSeededAndKeepsContent()
    {
        var data = _context.Transforms.ExtractPixels("Pixels", "Image").Fit(SmallImages()).Transform(SmallImages());
        IDataView Augmented(int seed) => _context.Transforms.AugmentImages("Aug", "Pixels", padding: 1, seed: seed).Fit(data).Transform(data);
        var a = Vectors(Augmented(5), "Aug");
        Assert.Equal(a, Vectors(Augmented(5), "Aug"));
        Assert.NotEqual(a, Vectors(Augmented(6), "Aug"));
        var original = Vectors(data, "Pixels");
        // A shift of at most one pixel and an optional flip: every output value is zero padding or an input value.
        for (var i = 0; i < a.Count; i++)
        {
            Assert.All(a[i], v => Assert.True(v == 0 || original[i].Contains(v)));
        }

        // No padding and certain flip: an exact mirror.
        var mirror = Vectors(_context.Transforms.AugmentImages("Aug", "Pixels", padding: 0, flipProbability: 1, seed: 1).Fit(data).Transform(data), "Aug");
        Assert.Equal(original[0][4], mirror[0][0]);
        Assert.Equal(original[0][0], mirror[0][4]);
    }

    [Fact]
    public void LoadImagesFromAFolderDecodesLazily()
    {
        using var dir = new TempDirectory();
        for (var k = 0; k < 2; k++)
        {
            var cls = Path.Combine(dir.Path, k == 0 ? "cat" : "dog");
            Directory.CreateDirectory(cls);
            var pixels = Enumerable.Repeat((byte)(k * 100 + 50), 8 * 6 * 3).ToArray();
            ImageCodec.SavePng(Path.Combine(cls, "a.png"), pixels, 8, 6, 3);
        }

        File.WriteAllBytes(Path.Combine(dir.Path, "dog", "broken.png"), [1, 2, 3]);
        var listing = _context.Data.LoadImagePathsFromFolder(dir.Path);
        Assert.Equal(["cat", "dog"], listing.Schema["Label"].Annotations.KeyValues);
        var loaded = _context.Transforms.LoadImages("Image", dir.Path, imageWidth: 4, imageHeight: 3, inputColumnName: "ImagePath")
            .Fit(listing).Transform(listing);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Byte, 3, 3, 4), loaded.Schema["Image"].Type);
        var first = _context.Data.TakeRows(loaded, 1);
        var c = first.Schema["Image"];
        using (var cursor = first.GetRowCursor([c]))
        {
            var getter = cursor.GetGetter<VBuffer<byte>>(c);
            var buffer = default(VBuffer<byte>);
            Assert.True(cursor.MoveNext());
            getter(ref buffer);
            Assert.All(buffer.ToArray(), b => Assert.Equal(50, b));
        }

        // The corrupt file fails when its row is read, naming the file.
        var ex = Assert.Throws<InvalidDataException>(() => Vectors(_context.Transforms.ExtractPixels("P", "Image").Fit(loaded).Transform(loaded), "P"));
        Assert.Contains("broken.png", ex.Message);
    }

    [Fact]
    public void VisionChainRoundTripsThroughAModelFile()
    {
        using var dir = new TempDirectory();
        var data = SmallImages();
        var model = _context.Transforms.ExtractPixels("Pixels", "Image", scaleImage: 1 / 255f)
            .Append(_context.Transforms.ResizeImages("Small", 4, 4, "Pixels"))
            .Append(_context.Transforms.NormalizeImage("Features", "Small"))
            .Fit(data);
        var path = dir.File("vision.zip");
        _context.Model.Save(model, data.Schema, path);
        var loaded = _context.Model.Load(path, out var schema);
        Assert.Equal(Vectors(model.Transform(data), "Features"), Vectors(loaded.Transform(data), "Features"));
        Assert.Equal(["even", "odd"], schema["Label"].Annotations.KeyValues);
    }
}
