using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;

namespace MLNetExplain.Data.Tests;

public class BatchTests
{
    [Theory]
    [InlineData(true, 4)]
    [InlineData(false, 4)]
    [InlineData(true, 1)]
    [InlineData(false, 100)]
    public void BatchTensorsEqualRowByRowValues(bool inMemory, int batchSize)
    {
        IDataView view = inMemory ? TestData.InMemory(10) : new ExplainContext().Data.LoadFromEnumerable(TestData.Rows(10));
        var rowValues = TestData.Column<VBuffer<float>>(view, "Pixels").Select(v => v.ToArray()).ToList();
        var labels = TestData.Column<uint>(view, "Label");
        using var batches = new TensorBatchCursor(view, "Pixels", batchSize, "Label");
        var seen = 0;
        while (batches.MoveNext())
        {
            Assert.Equal(new long[] { batches.Count, 1, 2, 3 }, batches.Features.Shape);
            var flat = batches.Features.ToArray<float>();
            var idx = batches.Labels!.ToArray<long>();
            for (var i = 0; i < batches.Count; i++)
            {
                Assert.Equal(rowValues[seen + i], flat.AsSpan(i * 6, 6).ToArray());
                Assert.Equal(labels[seen + i] - 1, idx[i]);
            }

            seen += batches.Count;
        }

        Assert.Equal(10, seen);
    }

    [Fact]
    public void BatchCursorRejectsBadColumns()
    {
        var view = TestData.InMemory(3);
        var ex = Assert.Throws<SchemaMismatchException>(() => new TensorBatchCursor(view, "Label", 2));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("fixed-size numeric vector", ex.Message);
        ex = Assert.Throws<SchemaMismatchException>(() => new TensorBatchCursor(view, "Pixels", 2, "Name"));
        Assert.Contains("'Name'", ex.Message);
        Assert.Throws<SchemaMismatchException>(() => new TensorBatchCursor(view, "Missing", 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public void BatchMapViewAppendsColumnsLazilyAndIsBatchSizeInvariant(int batchSize)
    {
        var source = TestData.InMemory(7);
        var calls = 0;
        var view = new TensorBatchMapView(source, "Pixels", batchSize,
            [new TensorColumn("Doubled", new VectorDataViewType(NumberDataViewType.Single, 1, 2, 3)),
             new TensorColumn("Total", NumberDataViewType.Single),
             new TensorColumn("Argmax", new KeyDataViewType(6))],
            x =>
            {
                calls++;
                var flat = x.Flatten(1);
                return [x * 2, flat.Sum(1), flat.Argmax(1)];
            });
        Assert.Equal(0, calls);
        Assert.Equal(7, TestData.Column<string>(view, "Name").Count);
        Assert.Equal(0, calls);

        var doubled = TestData.Column<VBuffer<float>>(view, "Doubled");
        Assert.Equal((7 + batchSize - 1) / batchSize, calls);
        var totals = TestData.Column<float>(view, "Total");
        var argmax = TestData.Column<uint>(view, "Argmax");
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(Enumerable.Range(0, 6).Select(j => 2f * (i * 10 + j)), doubled[i].ToArray());
            Assert.Equal(60f * i + 15, totals[i]);
            Assert.Equal(6u, argmax[i]);
        }
    }

    [Fact]
    public void BatchMapViewStaysAlignedUnderShuffling()
    {
        var source = TestData.InMemory(20);
        var view = new TensorBatchMapView(source, "Pixels", 6, [new TensorColumn("First", NumberDataViewType.Single)],
            x => [x.Flatten(1).Select(1, 0)]);
        var first = view.Schema["First"];
        var name = view.Schema["Name"];
        using var cursor = view.GetRowCursor([first, name], new Random(5));
        var getFirst = cursor.GetGetter<float>(first);
        var getName = cursor.GetGetter<string>(name);
        var order = new List<string>();
        while (cursor.MoveNext())
        {
            float f = 0;
            string n = "";
            getFirst(ref f);
            getName(ref n);
            Assert.Equal($"row{(int)f / 10}", n);
            order.Add(n);
        }

        Assert.NotEqual(Enumerable.Range(0, 20).Select(i => $"row{i}"), order);
    }
}
