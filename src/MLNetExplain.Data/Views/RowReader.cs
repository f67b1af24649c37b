namespace MLNetExplain.Data.Views;

/// <summary>Fills objects of T from data-view rows (the reverse of <see cref="EnumerableDataView{T}"/>).</summary>
internal static class RowReader<T> where T : class, new()
{
    public static IEnumerable<T> Read(IDataView data, bool reuseRowObject, CancellationToken cancellationToken)
    {
        var mapping = PocoMapping<T>.Create();
        var bindings = mapping.Members.Select(m =>
        {
            var column = data.Schema.GetColumnOrNull(m.ColumnName) ??
                throw new SchemaMismatchException($"CreateEnumerable<{typeof(T).Name}>", m.ColumnName, m.ColumnType.ToString(), "missing");
            if (column.Type.RawType != m.ColumnType.RawType)
            {
                throw new SchemaMismatchException($"CreateEnumerable<{typeof(T).Name}>", m.ColumnName, m.ColumnType.ToString(), column.Type.ToString());
            }

            return (Member: m, Column: column);
        }).ToList();

        using var cursor = data.GetRowCursor(bindings.Select(b => b.Column));
        var setters = bindings.Select(b => MakeSetter(cursor, b.Member, b.Column)).ToList();
        T? reused = null;
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = reuseRowObject ? reused ??= new T() : new T();
            foreach (var set in setters)
            {
                set(row);
            }

            yield return row;
        }
    }

    private static Action<T> MakeSetter(DataViewRowCursor cursor, PocoMapping<T>.Member member, DataViewSchema.Column column)
    {
        var method = column.Type is VectorDataViewType v
            ? typeof(RowReader<T>).GetMethod(nameof(VectorSetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(v.ItemType.RawType)
            : typeof(RowReader<T>).GetMethod(nameof(ScalarSetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(column.Type.RawType);
        return (Action<T>)method.Invoke(null, [cursor, member, column])!;
    }

    private static Action<T> ScalarSetter<TValue>(DataViewRowCursor cursor, PocoMapping<T>.Member member, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<TValue>(column);
        return row =>
        {
            TValue value = default!;
            getter(ref value);
            member.Set(row, value);
        };
    }

    private static Action<T> VectorSetter<TItem>(DataViewRowCursor cursor, PocoMapping<T>.Member member, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<VBuffer<TItem>>(column);
        var buffer = default(VBuffer<TItem>);
        return row =>
        {
            getter(ref buffer);
            member.Set(row, buffer.ToArray());
        };
    }
}
