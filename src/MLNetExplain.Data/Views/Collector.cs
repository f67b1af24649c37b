namespace MLNetExplain.Data.Views;

/// <summary>Accumulates one column's values during a cursor pass, then becomes a <see cref="ColumnStore"/>.</summary>
internal abstract class Collector
{
    public static Collector For(DataViewSchema.Column column)
    {
        var (generic, itemType, size) = column.Type switch
        {
            VectorDataViewType { IsKnownSize: true } v => (typeof(VectorCollector<>), v.ItemType.RawType, v.Size),
            VectorDataViewType v => (typeof(RaggedCollector<>), v.ItemType.RawType, 0),
            _ => (typeof(ScalarCollector<>), column.Type.RawType, 0),
        };
        return (Collector)Activator.CreateInstance(generic.MakeGenericType(itemType), size)!;
    }

    /// <summary>An action that appends the cursor's current value.</summary>
    public abstract Action Bind(DataViewRowCursor cursor, DataViewSchema.Column column);

    public abstract ColumnStore ToStore();

    private sealed class ScalarCollector<T>(int unused) : Collector
    {
        private readonly List<T> _values = [];

        public override Action Bind(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            _ = unused;
            var getter = cursor.GetGetter<T>(column);
            return () =>
            {
                T value = default!;
                getter(ref value);
                _values.Add(value);
            };
        }

        public override ColumnStore ToStore() => new ScalarStore<T>(_values.ToArray());
    }

    private sealed class VectorCollector<T>(int size) : Collector
    {
        private readonly List<T> _flat = [];

        public override Action Bind(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            var getter = cursor.GetGetter<VBuffer<T>>(column);
            var buffer = default(VBuffer<T>);
            return () =>
            {
                getter(ref buffer);
                if (buffer.Length != size)
                {
                    throw new InvalidDataException($"Column '{column.Name}' should hold {size} values per row, got {buffer.Length}.");
                }

                _flat.AddRange(buffer.GetValues());
            };
        }

        public override ColumnStore ToStore() => new VectorStore<T>(_flat.ToArray(), size);
    }

    private sealed class RaggedCollector<T>(int unused) : Collector
    {
        private readonly List<T[]> _rows = [];

        public override Action Bind(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            _ = unused;
            var getter = cursor.GetGetter<VBuffer<T>>(column);
            var buffer = default(VBuffer<T>);
            return () =>
            {
                getter(ref buffer);
                _rows.Add(buffer.ToArray());
            };
        }

        public override ColumnStore ToStore() => new RaggedStore<T>(_rows.ToArray());
    }
}
