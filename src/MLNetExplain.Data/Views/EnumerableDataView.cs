namespace MLNetExplain.Data.Views;

/// <summary>
/// A data view over an <see cref="IEnumerable{T}"/> of plain objects, enumerated lazily on each cursor
/// (ML.NET's LoadFromEnumerable). Members map to columns by name or [ColumnName]; arrays become vectors
/// ([VectorType] gives the shape); uint with [KeyType] becomes a key. Columns list public fields first, then
/// public properties, each in declaration order.
/// </summary>
public sealed class EnumerableDataView<T> : IDataView where T : class
{
    private readonly IEnumerable<T> _rows;
    private readonly PocoMapping<T> _mapping = PocoMapping<T>.Create();

    /// <summary>Wraps <paramref name="rows"/>.</summary>
    public EnumerableDataView(IEnumerable<T> rows)
    {
        _rows = rows ?? throw new ArgumentNullException(nameof(rows));
        Schema = DataViewSchema.Create(_mapping.Members.Select(m => (m.ColumnName, m.ColumnType, (DataViewSchema.Annotations?)null)));
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public long? GetRowCount() => _rows.TryGetNonEnumeratedCount(out var n) ? n : null;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    private sealed class Cursor(EnumerableDataView<T> view, HashSet<int> active) : DataViewRowCursor
    {
        private readonly IEnumerator<T> _enumerator = view._rows.GetEnumerator();
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_enumerator.MoveNext())
            {
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            CheckGetter<TValue>(column);
            var member = view._mapping.Members[column.Index];
            if (column.Type is VectorDataViewType vector)
            {
                var make = typeof(Cursor).GetMethod(nameof(MakeVectorGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                    .MakeGenericMethod(vector.ItemType.RawType);
                return (ValueGetter<TValue>)make.Invoke(this, [member, vector])!;
            }

            return (ref TValue value) => value = (TValue)member.Get(Current(member))!;
        }

        private T Current(PocoMapping<T>.Member member) => _enumerator.Current ??
            throw new InvalidDataException($"Row {_position} is null (reading column '{member.ColumnName}').");

        private Delegate MakeVectorGetter<TItem>(PocoMapping<T>.Member member, VectorDataViewType type)
        {
            return (ValueGetter<VBuffer<TItem>>)((ref VBuffer<TItem> value) =>
            {
                var array = (TItem[]?)member.Get(Current(member)) ?? [];
                if (type.IsKnownSize && array.Length != type.Size)
                {
                    throw new InvalidDataException(
                        $"Row {_position}: column '{member.ColumnName}' must hold {type.Size} values ({type}), got {array.Length}.");
                }

                array.CopyTo(VBuffer<TItem>.Edit(ref value, array.Length));
            });
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = DataViewRowId.FromIndex(_position);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _enumerator.Dispose();
            }
        }
    }
}
