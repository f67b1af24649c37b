using MLNetExplain.Data.Views;

namespace MLNetExplain.Data;

/// <summary>Loading, caching, shuffling, selecting and splitting data views (ML.NET's DataOperationsCatalog).</summary>
public sealed class DataOperationsCatalog
{
    private readonly ExplainContext _context;

    internal DataOperationsCatalog(ExplainContext context) => _context = context;

    /// <summary>A lazy view over plain objects; see <see cref="EnumerableDataView{T}"/> for the mapping rules.</summary>
    public IDataView LoadFromEnumerable<T>(IEnumerable<T> data) where T : class => new EnumerableDataView<T>(data);

    /// <summary>
    /// Reads rows back as objects, matching members to columns by name. With <paramref name="reuseRowObject"/>
    /// one instance is refilled per row (faster; do not keep references).
    /// </summary>
    public IEnumerable<T> CreateEnumerable<T>(IDataView data, bool reuseRowObject = false) where T : class, new() =>
        RowReader<T>.Read(data, reuseRowObject, _context.CancellationToken);

    /// <summary>
    /// Reads the view into memory once; later passes are fast and shuffling becomes possible. Long computations in
    /// the view (attributions, say) report the rows read so far to <paramref name="rowsRead"/>.
    /// </summary>
    public IDataView Cache(IDataView data, IProgress<long>? rowsRead = null) => InMemoryDataView.Load(data, _context.CancellationToken, rowsRead);

    /// <summary>The rows in a random order fixed by <paramref name="seed"/> (or the context's seed sequence).</summary>
    public IDataView ShuffleRows(IDataView data, int? seed = null) => new ShuffledDataView(data, seed ?? _context.NextSeed());

    /// <summary>The first <paramref name="count"/> rows.</summary>
    public IDataView TakeRows(IDataView data, long count) => new RangeDataView(data, 0, count);

    /// <summary>All rows after the first <paramref name="count"/>.</summary>
    public IDataView SkipRows(IDataView data, long count) => new RangeDataView(data, count, long.MaxValue);

    /// <summary>The rows whose numeric or key column lies in [lowerBound, upperBound).</summary>
    public IDataView FilterRowsByColumn(IDataView data, string columnName, double lowerBound = double.NegativeInfinity,
        double upperBound = double.PositiveInfinity) => new FilterDataView(data, columnName, lowerBound, upperBound);

    /// <summary>
    /// A random split into train and test sets (<paramref name="testFraction"/> of the rows to test), fixed by
    /// <paramref name="seed"/>. The data is cached once.
    /// </summary>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, int? seed = null)
    {
        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        }

        var cached = InMemoryDataView.Load(data, _context.CancellationToken);
        var order = Enumerable.Range(0, cached.RowCount).ToArray();
        new Random(seed ?? _context.NextSeed()).Shuffle(order);
        var testCount = (int)Math.Round(cached.RowCount * testFraction);
        var test = order[..testCount];
        var train = order[testCount..];
        Array.Sort(test);
        Array.Sort(train);
        return new TrainTestData(cached.SelectRows(train), cached.SelectRows(test));
    }

    /// <summary>The two halves of a split.</summary>
    public sealed record TrainTestData(IDataView TrainSet, IDataView TestSet);
}
