using System.Reflection;

namespace MLNetExplain.Data;

/// <summary>Reading one column in full (ML.NET's <c>ColumnCursorExtensions.GetColumn</c>).</summary>
public static class ColumnCursorExtensions
{
    /// <summary>
    /// The values of <paramref name="columnName"/>, one per row, read lazily. T is the column's raw type (float,
    /// uint for keys, string, VBuffer&lt;T&gt;), or an array of the item type for vector columns (a new array per row).
    /// </summary>
    public static IEnumerable<T> GetColumn<T>(this IDataView data, string columnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema[columnName];
        if (column.Type.RawType == typeof(T))
        {
            return Read<T>(data, column);
        }

        if (column.Type is VectorDataViewType vector && typeof(T).IsArray && typeof(T).GetElementType() == vector.ItemType.RawType)
        {
            var method = typeof(ColumnCursorExtensions).GetMethod(nameof(ReadArrays), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(vector.ItemType.RawType);
            return (IEnumerable<T>)method.Invoke(null, [data, column])!;
        }

        throw new SchemaMismatchException(nameof(GetColumn), columnName, $"a column readable as {typeof(T).Name}", column.Type.ToString());
    }

    private static IEnumerable<T> Read<T>(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        while (cursor.MoveNext())
        {
            T value = default!;
            getter(ref value);
            yield return value;
        }
    }

    private static IEnumerable<TItem[]> ReadArrays<TItem>(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<TItem>>(column);
        var buffer = default(VBuffer<TItem>);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            yield return buffer.ToArray();
        }
    }
}
