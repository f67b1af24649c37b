namespace MLNetExplain.Data;

/// <summary>Reads one value of the current row into <paramref name="value"/> (reusing its buffers where possible).</summary>
public delegate void ValueGetter<T>(ref T value);

/// <summary>
/// A lazy, columnar table (ML.NET's IDataView): a schema plus cursors. Transformed views compute nothing until
/// a cursor moves over them.
/// </summary>
public interface IDataView
{
    /// <summary>The columns.</summary>
    DataViewSchema Schema { get; }

    /// <summary>Whether cursors can visit rows in a random order.</summary>
    bool CanShuffle { get; }

    /// <summary>The number of rows when known without a pass over the data, else null.</summary>
    long? GetRowCount();

    /// <summary>
    /// A cursor making <paramref name="columnsNeeded"/> active (others may not be read). With
    /// <paramref name="rand"/> and <see cref="CanShuffle"/>, rows come in an order drawn from it.
    /// </summary>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null);
}

/// <summary>The identity of a row in its source, stable across cursors and shuffles.</summary>
public readonly record struct DataViewRowId(ulong High, ulong Low)
{
    /// <summary>The id of source row <paramref name="index"/>.</summary>
    public static DataViewRowId FromIndex(long index) => new(0, (ulong)index);
}

/// <summary>One row with typed getters (ML.NET's DataViewRow).</summary>
public abstract class DataViewRow : IDisposable
{
    /// <summary>The row's schema.</summary>
    public abstract DataViewSchema Schema { get; }

    /// <summary>0-based position of the current row in this cursor's sequence (-1 before the first).</summary>
    public abstract long Position { get; }

    /// <summary>The batch of parallel cursors this row belongs to (0 for a single cursor).</summary>
    public virtual long Batch => 0;

    /// <summary>Whether the column was requested when the cursor was made.</summary>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>
    /// A getter for one active column; create it once per cursor and call it per row. T must be the column's
    /// raw type (see <see cref="DataViewType.RawType"/>).
    /// </summary>
    public abstract ValueGetter<T> GetGetter<T>(DataViewSchema.Column column);

    /// <summary>A getter for the row's id.</summary>
    public abstract ValueGetter<DataViewRowId> GetIdGetter();

    /// <summary>Frees resources held by the row.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; override to free what a cursor holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Throws unless <paramref name="column"/> is active and T is its raw type.</summary>
    protected void CheckGetter<T>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
        }

        if (column.Type.RawType != typeof(T))
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' holds {column.Type} ({column.Type.RawType.Name}); a getter of {typeof(T).Name} was requested.");
        }
    }
}

/// <summary>A row that moves forward through a data view (ML.NET's DataViewRowCursor).</summary>
public abstract class DataViewRowCursor : DataViewRow
{
    /// <summary>Advances to the next row; false at the end.</summary>
    public abstract bool MoveNext();
}
