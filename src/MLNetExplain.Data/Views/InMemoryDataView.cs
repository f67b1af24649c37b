namespace MLNetExplain.Data.Views;

/// <summary>
/// A columnar table held in managed arrays (the result of <c>Data.Cache</c>, dataset loaders and
/// <c>LoadFromEnumerable</c>). Fixed-size vector columns are stored back to back, so batch assembly copies
/// straight from them. Shuffling is supported.
/// </summary>
public sealed class InMemoryDataView : IDataView
{
    private readonly ColumnStore[] _stores;

    private InMemoryDataView(DataViewSchema schema, ColumnStore[] stores, int rowCount)
    {
        Schema = schema;
        _stores = stores;
        RowCount = rowCount;
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <inheritdoc />
    public bool CanShuffle => true;

    /// <inheritdoc />
    public long? GetRowCount() => RowCount;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        int[]? order = null;
        if (rand is not null)
        {
            order = Enumerable.Range(0, RowCount).ToArray();
            rand.Shuffle(order);
        }

        return new Cursor(this, columnsNeeded, order);
    }

    /// <summary>A view of the given source rows, in that order (used by take/skip/filter/split).</summary>
    public InMemoryDataView SelectRows(int[] rows)
    {
        foreach (var r in rows)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(r);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(r, RowCount);
        }

        return new InMemoryDataView(Schema, _stores.Select(s => s.Select(rows)).ToArray(), rows.Length);
    }

    /// <summary>
    /// Reads every row of <paramref name="source"/> into memory (the whole schema, hidden columns dropped), reporting
    /// the rows read to <paramref name="rowsRead"/>.
    /// </summary>
    public static InMemoryDataView Load(IDataView source, CancellationToken cancellationToken = default, IProgress<long>? rowsRead = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source is InMemoryDataView already)
        {
            return already;
        }

        var columns = source.Schema.Where(c => !c.IsHidden).ToList();
        var collectors = columns.Select(Collector.For).ToList();
        using (var cursor = source.GetRowCursor(columns))
        {
            var readers = collectors.Select((c, k) => c.Bind(cursor, columns[k])).ToList();
            long rows = 0;
            while (cursor.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var read in readers)
                {
                    read();
                }

                rowsRead?.Report(++rows);
            }
        }

        var builder = new Builder();
        for (var k = 0; k < columns.Count; k++)
        {
            builder.Add(columns[k].Name, columns[k].Type, collectors[k].ToStore(), columns[k].Annotations);
        }

        return builder.Build();
    }

    /// <summary>Assembles an in-memory view column by column; all columns must have the same row count.</summary>
    public sealed class Builder
    {
        private readonly List<(string Name, DataViewType Type, ColumnStore Store, DataViewSchema.Annotations? Annotations)> _columns = [];

        /// <summary>Adds a scalar column; the type defaults from T (float, double, int, long, byte, bool, string).</summary>
        public Builder AddScalar<T>(string name, T[] values, PrimitiveDataViewType? type = null)
        {
            type ??= PrimitiveFor(typeof(T), name);
            CheckRaw(name, type, typeof(T));
            return Add(name, type, new ScalarStore<T>(values), null);
        }

        /// <summary>Adds a key column (values 1..count, 0 missing) with optional class names.</summary>
        public Builder AddKey(string name, uint[] values, ulong count, IEnumerable<string>? classNames = null)
        {
            var names = classNames?.ToArray();
            if (names is not null && (ulong)names.Length != count)
            {
                throw new ArgumentException($"Key column '{name}' has {count} categories but {names.Length} class names.");
            }

            return Add(name, new KeyDataViewType(count), new ScalarStore<uint>(values),
                names is null ? null : DataViewSchema.Annotations.WithKeyValues(names));
        }

        /// <summary>Adds a fixed-size vector column from rows stored back to back in <paramref name="flat"/>.</summary>
        public Builder AddVector<T>(string name, T[] flat, params int[] dimensions)
        {
            var type = new VectorDataViewType(PrimitiveFor(typeof(T), name), dimensions);
            if (!type.IsKnownSize || flat.Length % type.Size != 0)
            {
                throw new ArgumentException($"Vector column '{name}': {flat.Length} values do not split into rows of shape [{string.Join(", ", dimensions)}].");
            }

            return Add(name, type, new VectorStore<T>(flat, type.Size), null);
        }

        /// <summary>Adds a variable-length vector column.</summary>
        public Builder AddRaggedVector<T>(string name, T[][] rows) =>
            Add(name, new VectorDataViewType(PrimitiveFor(typeof(T), name)), new RaggedStore<T>(rows), null);

        internal Builder Add(string name, DataViewType type, ColumnStore store, DataViewSchema.Annotations? annotations)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (_columns.Count > 0 && _columns[0].Store.RowCount != store.RowCount)
            {
                throw new ArgumentException(
                    $"Column '{name}' has {store.RowCount} rows; column '{_columns[0].Name}' has {_columns[0].Store.RowCount}.");
            }

            _columns.Add((name, type, store, annotations));
            return this;
        }

        /// <summary>The view.</summary>
        public InMemoryDataView Build() => new(
            DataViewSchema.Create(_columns.Select(c => (c.Name, c.Type, c.Annotations))),
            _columns.Select(c => c.Store).ToArray(), _columns.Count == 0 ? 0 : _columns[0].Store.RowCount);

        private static void CheckRaw(string name, DataViewType type, Type raw)
        {
            if (type.RawType != raw)
            {
                throw new ArgumentException($"Column '{name}': type {type} needs {type.RawType.Name} values, got {raw.Name}.");
            }
        }
    }

    internal static PrimitiveDataViewType PrimitiveFor(Type t, string column) =>
        t == typeof(float) ? NumberDataViewType.Single
        : t == typeof(double) ? NumberDataViewType.Double
        : t == typeof(int) ? NumberDataViewType.Int32
        : t == typeof(long) ? NumberDataViewType.Int64
        : t == typeof(byte) ? NumberDataViewType.Byte
        : t == typeof(bool) ? BooleanDataViewType.Instance
        : t == typeof(string) ? TextDataViewType.Instance
        : throw new NotSupportedException($"Column '{column}': no data-view type for {t.Name}.");

    private sealed class Cursor : DataViewRowCursor, IRowSpanSource
    {
        private readonly InMemoryDataView _view;
        private readonly bool[] _active;
        private readonly int[]? _order;
        private long _position = -1;

        public Cursor(InMemoryDataView view, IEnumerable<DataViewSchema.Column> columns, int[]? order)
        {
            _view = view;
            _order = order;
            _active = new bool[view.Schema.Count];
            foreach (var c in columns)
            {
                _active[c.Index] = true;
            }
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        private int Row => _order is null ? (int)_position : _order[_position];

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _view.RowCount)
            {
                _position = _view.RowCount;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<T> GetGetter<T>(DataViewSchema.Column column)
        {
            CheckGetter<T>(column);
            return (ValueGetter<T>)_view._stores[column.Index].MakeGetter(() => Row);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = DataViewRowId.FromIndex(Row);

        public bool TryGetSpan<T>(DataViewSchema.Column column, out ReadOnlySpan<T> values) =>
            _view._stores[column.Index].TryGetSpan(Row, out values);
    }
}

/// <summary>Cursors that can hand out a row's vector without copying (in-memory data); batch assembly uses it.</summary>
internal interface IRowSpanSource
{
    bool TryGetSpan<T>(DataViewSchema.Column column, out ReadOnlySpan<T> values);
}
