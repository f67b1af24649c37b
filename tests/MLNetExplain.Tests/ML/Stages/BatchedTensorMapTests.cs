using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Data;
using MLNetExplain.ML.Stages;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.ML.Stages;

public class BatchedTensorMapTests
{
    private readonly MLContext _ml = new(seed: 1);

    /// <summary>
    /// Two outputs: the image times 2 plus the class index (so target handling shows), and the channel sum [1, H, W].
    /// Counts its calls and the batch sizes it saw.
    /// </summary>
    private sealed class CountingMap
    {
        public int Calls;
        public List<long> BatchSizes { get; } = [];

        public BatchedTensorMap Map(int batchSize, string? target = null) => new("test", "Features", target, batchSize,
            [new TensorOutputColumn("Doubled", d => d), new TensorOutputColumn("ChannelSum", d => [1, d[1], d[2]])],
            () => new TensorBatchFunction((x, t) =>
            {
                Interlocked.Increment(ref Calls);
                lock (BatchSizes)
                {
                    BatchSizes.Add(x.shape[0]);
                }

                var doubled = x * 2;
                if (t is not null)
                {
                    doubled += t.to(ScalarType.Float32).view(-1, 1, 1, 1);
                }

                return [doubled, x.sum(1, keepdim: true)];
            }));
    }

    private static float[] Expected(TinyImage row, bool withTarget) =>
        [.. row.Features.Select(v => v * 2 + (withTarget ? row.Label : 0))];

    private static float[] ChannelSum(TinyImage row)
    {
        var plane = TinyImage.Height * TinyImage.Width;
        return [.. Enumerable.Range(0, plane).Select(p => row.Features[p] + row.Features[plane + p])];
    }

    private sealed class Output
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";

        public float[] Features { get; set; } = [];

        public float[] Doubled { get; set; } = [];

        public float[] ChannelSum { get; set; } = [];
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(64, true)]
    public void BatchedValuesAndPassThroughEqualRowWiseValues(int batchSize, bool withTarget)
    {
        var rows = TinyImages.Rows(10);
        var counter = new CountingMap();
        var output = new TensorMapTransformer(counter.Map(batchSize, withTarget ? "Label" : null)).Transform(TinyImages.View(_ml, rows));
        var read = _ml.Data.CreateEnumerable<Output>(output, reuseRowObject: false).ToList();

        Assert.Equal(10, read.Count);
        Assert.Equal(rows.Select(r => r.Label + 1), output.GetColumn<uint>("Label"));
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i].Id, read[i].Id);
            Assert.Equal(rows[i].Name, read[i].Name);
            Assert.Equal(rows[i].Features, read[i].Features);
            Assert.Equal(Expected(rows[i], withTarget), read[i].Doubled);
            Assert.Equal(ChannelSum(rows[i]), read[i].ChannelSum, new FloatTolerance(1e-6f));
        }

        Assert.Equal((10 + batchSize - 1) / batchSize, counter.Calls);
        Assert.Equal(Math.Min(10, batchSize), counter.BatchSizes[0]);
    }

    [Fact]
    public void NothingIsComputedUntilAnOutputColumnIsRead()
    {
        var counter = new CountingMap();
        var output = new TensorMapTransformer(counter.Map(4)).Transform(TinyImages.View(_ml, 10));
        Assert.Equal(0, counter.Calls);

        var ids = output.GetColumn<int>("Id").ToList();
        Assert.Equal(Enumerable.Range(0, 10), ids);
        Assert.Equal(0, counter.Calls);

        using (var cursor = output.GetRowCursor(output.Schema.Where(c => c.Name is "Id" or "Doubled")))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Doubled"]);
            // Moving reads a batch of rows ahead but computes nothing until the column is read.
            Assert.True(cursor.MoveNext());
            Assert.True(cursor.MoveNext());
            Assert.Equal(0, counter.Calls);
            VBuffer<float> value = default;
            getter(ref value);
            getter(ref value);
            Assert.Equal(1, counter.Calls);
        }

        var doubled = output.GetColumn<float[]>("Doubled").ToList();
        Assert.Equal(10, doubled.Count);
        Assert.Equal(4, counter.Calls);
    }

    [Fact]
    public void ShuffledCursorKeepsEachRowWithItsValues()
    {
        var rows = TinyImages.Rows(37);
        var counter = new CountingMap();
        var output = new TensorMapTransformer(counter.Map(8, "Label")).Transform(TinyImages.View(_ml, rows));
        Assert.True(output.CanShuffle);

        using var cursor = output.GetRowCursor(output.Schema, new Random(5));
        var id = cursor.GetGetter<int>(output.Schema["Id"]);
        var doubled = cursor.GetGetter<VBuffer<float>>(output.Schema["Doubled"]);
        var order = new List<int>();
        while (cursor.MoveNext())
        {
            int i = 0;
            VBuffer<float> value = default;
            id(ref i);
            doubled(ref value);
            Assert.Equal(Expected(rows[i], withTarget: true), value.DenseValues().ToArray());
            order.Add(i);
        }

        Assert.Equal(Enumerable.Range(0, 37), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 37), order);
        Assert.Equal(5, counter.Calls);
    }

    [Fact]
    public void PredictionEngineComputesOneRowPerCall()
    {
        var rows = TinyImages.Rows(3);
        var counter = new CountingMap();
        ITransformer model = new TensorMapTransformer(counter.Map(64, "Label"));
        var engine = _ml.Model.CreatePredictionEngine<TinyImage, Output>(model);
        foreach (var row in rows)
        {
            var prediction = engine.Predict(row);
            Assert.Equal(row.Id, prediction.Id);
            Assert.Equal(Expected(row, withTarget: true), prediction.Doubled);
        }

        Assert.Equal(3, counter.Calls);
        Assert.All(counter.BatchSizes, n => Assert.Equal(1, n));
    }

    [Fact]
    public void OutputColumnsDeclareTheirShapeAndKeepTheImageAnnotations()
    {
        var input = TinyImages.View(_ml, 2);
        var schema = new TensorMapTransformer(new CountingMap().Map(4)).GetOutputSchema(input.Schema);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 2, 3, 4), schema["Doubled"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 3, 4), schema["ChannelSum"].Type);
        Assert.Equal([2, 3, 4], schema["Doubled"].GetImageShape()!);
        Assert.Equal([1, 3, 4], schema["ChannelSum"].GetImageShape()!);
        Assert.Null(schema["Features"].GetImageShape());
        Assert.Equal(input.Schema.Count + 2, schema.Count);
    }

    [Fact]
    public void SlotNamesOfTheImageTravelToAnOutputOfTheSameShape()
    {
        var builder = new DataViewSchema.Builder();
        var annotations = new DataViewSchema.Annotations.Builder();
        var names = new VBuffer<ReadOnlyMemory<char>>(TinyImage.Size, [.. Enumerable.Range(0, TinyImage.Size).Select(i => $"p{i}".AsMemory())]);
        annotations.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, TinyImage.Size),
            (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> v) => names.CopyTo(ref v)));
        builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 2, 3, 4), annotations.ToAnnotations());
        var schema = new TensorMapTransformer(new CountingMap().Map(4)).GetOutputSchema(builder.ToSchema());

        Assert.True(schema["Doubled"].HasSlotNames());
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        schema["Doubled"].GetSlotNames(ref slotNames);
        Assert.Equal("p5", slotNames.GetItemOrDefault(5).ToString());
        Assert.False(schema["ChannelSum"].HasSlotNames());
    }

    [Fact]
    public void WrongColumnsFailNamingTheColumnAndTheExpectedShape()
    {
        var transformer = new TensorMapTransformer(new CountingMap().Map(4, "Label"));
        var missing = _ml.Data.LoadFromEnumerable(new[] { new { Pixels = new float[] { 1 } } }).Schema;
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(missing));
        Assert.Contains("'Features'", ex.Message);
        Assert.Contains("no such column", ex.Message);

        var flat = new DataViewSchema.Builder();
        flat.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 24));
        flat.AddColumn("Label", new KeyDataViewType(typeof(uint), 3));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.Transform(new EmptyView(flat.ToSchema())));
        Assert.Contains("[C, H, W]", ex.Message);
        Assert.Contains("Vector<Single, 24>", ex.Message);

        var intLabel = new DataViewSchema.Builder();
        intLabel.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 2, 3, 4));
        intLabel.AddColumn("Label", NumberDataViewType.Int32);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => transformer.GetOutputSchema(intLabel.ToSchema()));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("key", ex.Message);
    }

    [Fact]
    public void EstimatorShapeIsCheckedBeforeData()
    {
        var map = new CountingMap().Map(4, "Label");
        var good = SchemaShapes.Of(TinyImages.View(_ml, 1).Schema);
        var shape = map.OutputShape(good);
        var doubled = shape.Single(c => c.Name == "Doubled");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, doubled.Kind);
        Assert.Equal(NumberDataViewType.Single, doubled.ItemType);
        Assert.Contains(doubled.Annotations, a => a.Name == ImageShapeAnnotation.Name);
        Assert.Equal(good.Count + 2, shape.Count);

        // ML.NET's own estimators downstream accept the shape (and check it).
        var ml = new MLContext(seed: 1);
        Assert.Contains(ml.Transforms.Concatenate("Both", "Doubled", "ChannelSum").GetOutputSchema(shape), c => c.Name == "Both");
        var misfit = Assert.Throws<InvalidOperationException>(() => ml.Transforms.Concatenate("Both", "Doubled", "Id").GetOutputSchema(shape));
        Assert.Contains("Id", misfit.Message);

        var scalar = new DataViewSchema.Builder();
        scalar.AddColumn("Features", NumberDataViewType.Single);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => map.OutputShape(SchemaShapes.Of(scalar.ToSchema())));
        Assert.Contains("'Features'", ex.Message);
    }

    [Fact]
    public void KeyOutsideTheClassesFailsNamingTheRow()
    {
        var rows = TinyImages.Rows(3);
        rows[2].Label = 7;
        var output = new TensorMapTransformer(new CountingMap().Map(4, "Label")).Transform(TinyImages.View(_ml, rows));
        var ex = Assert.Throws<InvalidDataException>(() => output.GetColumn<float[]>("Doubled").ToList());
        Assert.Contains("Row 2", ex.Message);
        Assert.Contains("'Label'", ex.Message);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }

    /// <summary>A view with a schema and no rows, for schema checks on types LoadFromEnumerable cannot make.</summary>
    private sealed class EmptyView(DataViewSchema schema) : IDataView
    {
        public DataViewSchema Schema => schema;

        public bool CanShuffle => false;

        public long? GetRowCount() => 0;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => throw new NotSupportedException();

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => throw new NotSupportedException();
    }
}
