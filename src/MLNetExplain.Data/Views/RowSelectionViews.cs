namespace MLNetExplain.Data.Views;

/// <summary>Rows [skip, skip + take) of a source, read lazily (ML.NET's SkipRows/TakeRows).</summary>
public sealed class RangeDataView(IDataView source, long skip, long take) : IDataView
{
    /// <inheritdoc />
    public DataViewSchema Schema => source.Schema;

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public long? GetRowCount() =>
        source.GetRowCount() is { } n ? Math.Max(0, Math.Min(take, n - skip)) : null;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(source.GetRowCursor(columnsNeeded), skip, take);

    private sealed class Cursor(DataViewRowCursor input, long skip, long take) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => input.Schema;

        public override long Position => _position;

        public override bool IsColumnActive(DataViewSchema.Column column) => input.IsColumnActive(column);

        public override bool MoveNext()
        {
            if (_position + 1 >= take)
            {
                return false;
            }

            while (input.Position + 1 < skip)
            {
                if (!input.MoveNext())
                {
                    return false;
                }
            }

            if (!input.MoveNext())
            {
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<T> GetGetter<T>(DataViewSchema.Column column) => input.GetGetter<T>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
            }
        }
    }
}

/// <summary>The rows of a source whose numeric column lies in [lower, upper) (ML.NET's FilterRowsByColumn).</summary>
public sealed class FilterDataView : IDataView
{
    private readonly IDataView _source;
    private readonly DataViewSchema.Column _column;
    private readonly double _lower;
    private readonly double _upper;

    /// <summary>Creates the filter; the column must be a numeric or key scalar.</summary>
    public FilterDataView(IDataView source, string columnName, double lower, double upper)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _column = source.Schema[columnName];
        if (_column.Type is not (NumberDataViewType or KeyDataViewType))
        {
            throw new SchemaMismatchException("FilterRowsByColumn", columnName, "a numeric or key scalar", _column.Type.ToString());
        }

        (_lower, _upper) = (lower, upper);
    }

    /// <inheritdoc />
    public DataViewSchema Schema => _source.Schema;

    /// <inheritdoc />
    public bool CanShuffle => _source.CanShuffle;

    /// <inheritdoc />
    public long? GetRowCount() => null;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var input = _source.GetRowCursor(columnsNeeded.Append(_column).DistinctBy(c => c.Index), rand);
        return new Cursor(input, NumericReader.Create(input, _column), _lower, _upper);
    }

    private sealed class Cursor(DataViewRowCursor input, Func<double> value, double lower, double upper) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => input.Schema;

        public override long Position => _position;

        public override bool IsColumnActive(DataViewSchema.Column column) => input.IsColumnActive(column);

        public override bool MoveNext()
        {
            while (input.MoveNext())
            {
                var v = value();
                if (v >= lower && v < upper)
                {
                    _position++;
                    return true;
                }
            }

            return false;
        }

        public override ValueGetter<T> GetGetter<T>(DataViewSchema.Column column) => input.GetGetter<T>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
            }
        }
    }
}

/// <summary>A source read in a seeded random order on every cursor (ML.NET's ShuffleRows).</summary>
public sealed class ShuffledDataView(IDataView source, int seed) : IDataView
{
    private readonly IDataView _source = source.CanShuffle ? source : InMemoryDataView.Load(source);

    /// <inheritdoc />
    public DataViewSchema Schema => _source.Schema;

    /// <inheritdoc />
    public bool CanShuffle => true;

    /// <inheritdoc />
    public long? GetRowCount() => _source.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        _source.GetRowCursor(columnsNeeded, rand ?? new Random(seed));
}

/// <summary>Reads a numeric or key scalar column of the current row as double.</summary>
internal static class NumericReader
{
    public static Func<double> Create(DataViewRow row, DataViewSchema.Column column) => column.Type.RawType switch
    {
        var t when t == typeof(float) => Wrap<float>(row, column, v => v),
        var t when t == typeof(double) => Wrap<double>(row, column, v => v),
        var t when t == typeof(int) => Wrap<int>(row, column, v => v),
        var t when t == typeof(long) => Wrap<long>(row, column, v => v),
        var t when t == typeof(byte) => Wrap<byte>(row, column, v => v),
        var t when t == typeof(uint) => Wrap<uint>(row, column, v => v),
        _ => throw new SchemaMismatchException("NumericReader", column.Name, "a numeric or key scalar", column.Type.ToString()),
    };

    private static Func<double> Wrap<T>(DataViewRow row, DataViewSchema.Column column, Func<T, double> convert)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return convert(value);
        };
    }
}
