using MLNetExplain.Data.Views;

namespace MLNetExplain.Data.Tests;

public class DataViewTests
{
    private readonly ExplainContext _context = new(seed: 1);

    [Fact]
    public void PocoRoundTripWithAttributes()
    {
        var rows = TestData.Rows(4);
        var view = _context.Data.LoadFromEnumerable(rows);
        // Fields first, then properties, each in declaration order.
        Assert.Equal(["Name", "Pixels", "Label"], view.Schema.Select(c => c.Name));
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 2, 3), view.Schema["Pixels"].Type);
        Assert.Equal(new KeyDataViewType(3), view.Schema["Label"].Type);
        var back = _context.Data.CreateEnumerable<ImageRow>(view).ToList();
        Assert.Equal(rows.Select(r => r.Pixels), back.Select(r => r.Pixels));
        Assert.Equal(rows.Select(r => r.Label), back.Select(r => r.Label));
        Assert.Equal(rows.Select(r => r.Title), back.Select(r => r.Title));
    }

    [Fact]
    public void WrongVectorLengthInPocoNamesTheColumn()
    {
        var rows = TestData.Rows(2);
        rows[1].Pixels = [1, 2];
        var view = _context.Data.LoadFromEnumerable(rows);
        var ex = Assert.Throws<InvalidDataException>(() => TestData.Column<VBuffer<float>>(view, "Pixels"));
        Assert.Contains("'Pixels'", ex.Message);
        Assert.Contains("6 values", ex.Message);
    }

    [Fact]
    public void GettersCheckTypesAndActiveColumns()
    {
        var view = TestData.InMemory(3);
        using var cursor = view.GetRowCursor([view.Schema["Label"]]);
        var ex = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(view.Schema["Label"]));
        Assert.Contains("Label", ex.Message);
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.Schema["Pixels"]));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => view.Schema["Nope"]);
        Assert.Contains("Pixels", missing.Message);
    }

    [Fact]
    public void MappedViewsAreLazyAndHideShadowedColumns()
    {
        var source = TestData.InMemory(5);
        var mapper = new CountingMapper("Pixels", "Sum");
        var view = new MappedDataView(source, mapper);
        var twice = new MappedDataView(view, new CountingMapper("Pixels", "Sum"));
        Assert.Equal(0, mapper.Calls);
        Assert.Equal(2, twice.Schema.Count(c => c.Name == "Sum"));
        Assert.True(twice.Schema[3].IsHidden);
        Assert.Equal(4, twice.Schema["Sum"].Index);
        Assert.Equal(0, mapper.Calls);
        // A cursor that does not ask for the mapped column does no work either.
        Assert.Equal(5, TestData.Column<uint>(view, "Label").Count);
        Assert.Equal(0, mapper.Calls);
        var sums = TestData.Column<float>(view, "Sum");
        Assert.Equal(5, mapper.Calls);
        Assert.Equal(15f + 60 * 4, sums[4]);
    }

    [Fact]
    public void ShufflingIsDeterministicPerSeed()
    {
        var view = TestData.InMemory(50);
        var a = TestData.Column<string>(_context.Data.ShuffleRows(view, seed: 7), "Name");
        var b = TestData.Column<string>(_context.Data.ShuffleRows(view, seed: 7), "Name");
        var c = TestData.Column<string>(_context.Data.ShuffleRows(view, seed: 8), "Name");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(TestData.Column<string>(view, "Name").Order(), a.Order());
        // A lazy, unshufflable source is cached first.
        var lazy = _context.Data.LoadFromEnumerable(TestData.Rows(50));
        Assert.False(lazy.CanShuffle);
        Assert.Equal(a, TestData.Column<string>(_context.Data.ShuffleRows(lazy, seed: 7), "Name"));
    }

    [Fact]
    public void TakeSkipFilterAndSplit()
    {
        var view = TestData.InMemory(10);
        Assert.Equal(["row2", "row3", "row4"], TestData.Column<string>(_context.Data.TakeRows(_context.Data.SkipRows(view, 2), 3), "Name"));
        Assert.Equal(3, _context.Data.TakeRows(_context.Data.SkipRows(view, 2), 3).GetRowCount());
        var ones = _context.Data.FilterRowsByColumn(view, "Label", 1, 2);
        Assert.Equal(["row0", "row3", "row6", "row9"], TestData.Column<string>(ones, "Name"));
        var ex = Assert.Throws<SchemaMismatchException>(() => _context.Data.FilterRowsByColumn(view, "Name", 0, 1));
        Assert.Contains("'Name'", ex.Message);

        var split = _context.Data.TrainTestSplit(view, testFraction: 0.3, seed: 3);
        var train = TestData.Column<string>(split.TrainSet, "Name");
        var test = TestData.Column<string>(split.TestSet, "Name");
        Assert.Equal(7, train.Count);
        Assert.Equal(3, test.Count);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(test, TestData.Column<string>(_context.Data.TrainTestSplit(view, 0.3, seed: 3).TestSet, "Name"));
    }

    [Fact]
    public void CacheKeepsValuesAndAnnotations()
    {
        var lazy = _context.Data.LoadFromEnumerable(TestData.Rows(6));
        var cached = _context.Data.Cache(new MappedDataView(lazy, new CountingMapper("Pixels", "Sum")));
        Assert.Equal(6, cached.GetRowCount());
        Assert.True(cached.CanShuffle);
        Assert.Equal(20 * 6 + 15f, TestData.Column<float>(cached, "Sum")[2]);
        var withNames = _context.Data.Cache(TestData.InMemory(3));
        Assert.Equal(["a", "b", "c"], withNames.Schema["Label"].Annotations.KeyValues);
    }

    [Fact]
    public void GetColumnReadsScalarsVectorsAndRejectsWrongTypes()
    {
        var view = TestData.InMemory(3);
        Assert.Equal(["row0", "row1", "row2"], view.GetColumn<string>("Name"));
        Assert.Equal([1u, 2u, 3u], view.GetColumn<uint>("Label"));
        Assert.Equal([20f, 21, 22, 23, 24, 25], view.GetColumn<float[]>("Pixels").Last());
        Assert.Equal(6, view.GetColumn<VBuffer<float>>("Pixels").First().Length);
        var ex = Assert.Throws<SchemaMismatchException>(() => view.GetColumn<double[]>("Pixels").ToList());
        Assert.Contains("'Pixels'", ex.Message);
    }
}
