using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Data;
using MLNetExplain.Tests.Datasets;

namespace MLNetExplain.Tests.ML.Data;

/// <summary>Loads the Fashion-MNIST test split once as an ML.NET view.</summary>
public sealed class FashionMnistViewFixture
{
    public MLContext Context { get; } = new(seed: 1);

    public IDataView Test { get; }

    public FashionMnistViewFixture() => Test = Context.Data.LoadFashionMnist(DatasetSplit.Test);
}

/// <summary>The dataset loaders on <c>mlContext.Data</c>: schema, values, keys, shuffling and errors.</summary>
public class ImageDatasetCatalogTests(FashionMnistViewFixture fixture) : IClassFixture<FashionMnistViewFixture>
{
    private readonly MLContext _ml = fixture.Context;

    [Fact]
    public void FashionMnistSchemaHasKeyLabelWithClassNamesAndPlanarFeatures()
    {
        DataViewSchema schema = fixture.Test.Schema;
        Assert.Equal(10000, fixture.Test.GetRowCount());
        Assert.True(fixture.Test.CanShuffle);

        var label = Assert.IsType<KeyDataViewType>(schema["Label"].Type);
        Assert.Equal(10UL, label.Count);
        Assert.Equal(typeof(uint), label.RawType);
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        schema["Label"].GetKeyValues(ref names);
        Assert.Equal(FashionMnist.ClassNames, names.DenseValues().Select(n => n.ToString()));

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), schema["Features"].Type);
    }

    [Fact]
    public void FeaturesAreTheIdxBytesOver255AndLabelsAreKeysFromOne()
    {
        IdxImages images = IdxReader.ReadImages(Path.Combine(FashionMnist.DefaultDirectory, "t10k-images-idx3-ubyte.gz"));
        byte[] labels = IdxReader.ReadLabels(Path.Combine(FashionMnist.DefaultDirectory, "t10k-labels-idx1-ubyte.gz"));

        int rows = 0;
        using DataViewRowCursor cursor = fixture.Test.GetRowCursor(fixture.Test.Schema);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(fixture.Test.Schema["Features"]);
        var getLabel = cursor.GetGetter<uint>(fixture.Test.Schema["Label"]);
        var features = default(VBuffer<float>);
        uint label = 0;
        while (cursor.MoveNext() && rows < 500)
        {
            getFeatures(ref features);
            getLabel(ref label);
            Assert.Equal(labels[rows] + 1u, label);
            Assert.Equal(784, features.Length);
            ReadOnlySpan<float> values = features.GetValues();
            for (int i = 0; i < 784; i++)
            {
                Assert.Equal(images.Pixels[rows * 784 + i] / 255f, values[i]);
            }

            rows++;
        }

        Assert.Equal(500, rows);
    }

    [Fact]
    public void MapKeyToValueGivesClassNames()
    {
        IDataView first = _ml.Data.TakeRows(fixture.Test, 3);
        IDataView named = _ml.Transforms.Conversion.MapKeyToValue("Name", "Label").Fit(first).Transform(first);
        string[] names = [.. named.GetColumn<ReadOnlyMemory<char>>("Name").Select(n => n.ToString())];

        // The first three test images are an ankle boot, a pullover and a trouser.
        Assert.Equal(["Ankle boot", "Pullover", "Trouser"], names);
    }

    [Fact]
    public void AnMLNetTrainerLearnsFromTheViewAndEvaluateReadsTheKeys()
    {
        IDataView train = _ml.Data.TakeRows(_ml.Data.ShuffleRows(_ml.Data.LoadFashionMnist(DatasetSplit.Train), seed: 3), 3000);
        IDataView test = _ml.Data.TakeRows(fixture.Test, 1000);
        var trainer = _ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 8);
        // The key label goes to the trainer as it is, and the predicted keys carry the class names on.
        ITransformer model = trainer.Append(_ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel"))
            .Fit(train);

        IDataView scored = model.Transform(test);
        MulticlassClassificationMetrics metrics = _ml.MulticlassClassification.Evaluate(scored);

        // A linear model on 3,000 images reaches about 0.78 on Fashion-MNIST; chance is 0.1.
        Assert.InRange(metrics.MicroAccuracy, 0.70, 1.0);
        Assert.Equal(10, metrics.PerClassLogLoss.Count);
        Assert.All(scored.GetColumn<ReadOnlyMemory<char>>("PredictedName").Take(50),
            n => Assert.Contains(n.ToString(), FashionMnist.ClassNames));
    }

    [Fact]
    public void ShufflingIsAPermutationFixedByTheSeed()
    {
        IDataView view = _ml.Data.LoadFromImageDataset(SmallDataset(64));
        int[] Order(int seed)
        {
            using DataViewRowCursor cursor = view.GetRowCursor(view.Schema, new Random(seed));
            var getId = cursor.GetIdGetter();
            var getFeatures = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
            var id = default(DataViewRowId);
            var features = default(VBuffer<float>);
            var order = new List<int>();
            while (cursor.MoveNext())
            {
                getId(ref id);
                getFeatures(ref features);
                // SmallDataset puts the image index in the first pixel, so values and ids must agree.
                Assert.Equal(id.Low / 255f, features.GetValues()[0]);
                order.Add((int)id.Low);
            }

            return [.. order];
        }

        int[] a = Order(7);
        Assert.Equal(a, Order(7));
        Assert.NotEqual(a, Order(8));
        Assert.NotEqual(Enumerable.Range(0, 64), a);
        Assert.Equal(Enumerable.Range(0, 64), a.Order());

        // ML.NET's own shuffle over the view is deterministic too.
        uint[] Labels(int seed) => [.. _ml.Data.ShuffleRows(view, seed: seed).GetColumn<uint>("Label")];
        Assert.Equal(Labels(5), Labels(5));
    }

    [Fact]
    public void ReadingRowsAllocatesNothingPerRow()
    {
        using DataViewRowCursor cursor = fixture.Test.GetRowCursor(fixture.Test.Schema, new Random(1));
        var getFeatures = cursor.GetGetter<VBuffer<float>>(fixture.Test.Schema["Features"]);
        var getLabel = cursor.GetGetter<uint>(fixture.Test.Schema["Label"]);
        var features = default(VBuffer<float>);
        uint label = 0;
        Assert.True(cursor.MoveNext());
        getFeatures(ref features);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int rows = 1;
        while (cursor.MoveNext())
        {
            getFeatures(ref features);
            getLabel(ref label);
            rows++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10000, rows);
        Assert.True(allocated < 1024, $"{allocated} bytes allocated over {rows} rows.");
    }

    [Fact]
    public void CustomColumnNamesAndTypeMismatchesAreReported()
    {
        IDataView view = _ml.Data.LoadFromImageDataset(SmallDataset(2), "Pixels", "Class");
        Assert.Equal(["Class", "Pixels"], view.Schema.Select(c => c.Name));
        Assert.Throws<ArgumentException>(() => _ml.Data.LoadFromImageDataset(SmallDataset(2), "X", "X"));

        using DataViewRowCursor cursor = view.GetRowCursor([view.Schema["Class"]]);
        var e = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(view.Schema["Class"]));
        Assert.Contains("'Class'", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.Schema["Pixels"]));
        Assert.Contains("not requested", e.Message);
    }

    [Fact]
    public void Cifar10FilesWrittenHereLoadAsThreeChannelViews()
    {
        using var dir = new TempDirectory();
        for (int b = 1; b <= 5; b++)
        {
            File.WriteAllBytes(dir.File($"data_batch_{b}.bin"), CifarRecords([(byte)(b - 1), (byte)b]));
        }

        File.WriteAllBytes(dir.File("test_batch.bin"), CifarRecords([9]));

        IDataView train = _ml.Data.LoadCifar10(dir.Path, DatasetSplit.Train);
        IDataView test = _ml.Data.LoadCifar10(dir.Path, DatasetSplit.Test);

        Assert.Equal(10, train.GetRowCount());
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3, 32, 32), train.Schema["Features"].Type);
        Assert.Equal([1u, 2, 2, 3, 3, 4, 4, 5, 5, 6], train.GetColumn<uint>("Label"));
        float[] first = test.GetColumn<float[]>("Features").Single();
        Assert.Equal(CifarPixel(0, 2, 31, 7) / 255f, first[2 * 1024 + 31 * 32 + 7]);
        string name = _ml.Transforms.Conversion.MapKeyToValue("Name", "Label").Fit(test).Transform(test)
            .GetColumn<ReadOnlyMemory<char>>("Name").Single().ToString();
        Assert.Equal("truck", name);
    }

    [Fact]
    public void MissingAndMalformedFilesAreNamed()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadFashionMnist(DatasetSplit.Test, dir.Path));
        Assert.Contains("t10k-images-idx3-ubyte", missing.Message);

        missing = Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadCifar10(dir.Path, DatasetSplit.Test));
        Assert.Contains("test_batch.bin", missing.Message);

        File.WriteAllBytes(dir.File("test_batch.bin"), new byte[3073 + 10]);
        var malformed = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadCifar10(dir.Path, DatasetSplit.Test));
        Assert.Contains("test_batch.bin", malformed.Message);

        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte"), [0, 0, 8, 1, 0, 0, 0, 0]);
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 0]);
        malformed = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadMnist(DatasetSplit.Test, dir.Path));
        Assert.Contains("t10k-images-idx3-ubyte", malformed.Message);

        Assert.Throws<DirectoryNotFoundException>(() => _ml.Data.LoadImageFolder(dir.File("no-such-folder")));
    }

    /// <summary>Images whose first pixel is their index, the rest a fixed pattern; labels alternate.</summary>
    internal static ImageDataset SmallDataset(int count)
    {
        var pixels = new byte[count * 12];
        for (int i = 0; i < count; i++)
        {
            pixels[i * 12] = (byte)i;
            for (int k = 1; k < 12; k++)
            {
                pixels[i * 12 + k] = (byte)(k * 20);
            }
        }

        return new ImageDataset(pixels, [.. Enumerable.Range(0, count).Select(i => i % 2)], 3, 2, 2, ["even", "odd"]);
    }

    private static byte CifarPixel(int i, int c, int y, int x) => (byte)((i * 37 + c * 101 + y * 7 + x * 3) % 256);

    private static byte[] CifarRecords(byte[] labels)
    {
        using var output = new MemoryStream();
        for (int i = 0; i < labels.Length; i++)
        {
            output.WriteByte(labels[i]);
            for (int p = 0; p < 3072; p++)
            {
                output.WriteByte(CifarPixel(i, p / 1024, p / 32 % 32, p % 32));
            }
        }

        return output.ToArray();
    }
}
