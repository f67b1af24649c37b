namespace MLNetExplain.Data.Views;

/// <summary>The values of one in-memory column, indexed by source row.</summary>
internal abstract class ColumnStore
{
    public abstract int RowCount { get; }

    /// <summary>A getter reading row <c>row()</c>; T is the column's raw type.</summary>
    public abstract Delegate MakeGetter(Func<int> row);

    /// <summary>The row's elements without copying, when the store is contiguous.</summary>
    public virtual bool TryGetSpan<T>(int row, out ReadOnlySpan<T> values)
    {
        values = default;
        return false;
    }

    /// <summary>A store holding only <paramref name="rows"/> of this one, in that order.</summary>
    public abstract ColumnStore Select(int[] rows);
}

internal sealed class ScalarStore<T>(T[] values) : ColumnStore
{
    public T[] Values { get; } = values;

    public override int RowCount => Values.Length;

    public override Delegate MakeGetter(Func<int> row) => (ValueGetter<T>)((ref T value) => value = Values[row()]);

    public override ColumnStore Select(int[] rows) => new ScalarStore<T>(Array.ConvertAll(rows, r => Values[r]));
}

/// <summary>Fixed-size vectors stored back to back in one array: the layout batch assembly copies from.</summary>
internal sealed class VectorStore<T>(T[] flat, int stride) : ColumnStore
{
    public T[] Flat { get; } = flat;

    public int Stride { get; } = stride;

    public override int RowCount => Flat.Length / Stride;

    public override Delegate MakeGetter(Func<int> row) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
        Flat.AsSpan(row() * Stride, Stride).CopyTo(VBuffer<T>.Edit(ref value, Stride)));

    public override bool TryGetSpan<TItem>(int row, out ReadOnlySpan<TItem> values)
    {
        if (Flat is TItem[] typed)
        {
            values = typed.AsSpan(row * Stride, Stride);
            return true;
        }

        values = default;
        return false;
    }

    public override ColumnStore Select(int[] rows)
    {
        var flat = new T[rows.Length * Stride];
        for (var k = 0; k < rows.Length; k++)
        {
            Flat.AsSpan(rows[k] * Stride, Stride).CopyTo(flat.AsSpan(k * Stride));
        }

        return new VectorStore<T>(flat, Stride);
    }
}

/// <summary>Variable-length vectors, one array per row.</summary>
internal sealed class RaggedStore<T>(T[][] rows) : ColumnStore
{
    public T[][] Rows { get; } = rows;

    public override int RowCount => Rows.Length;

    public override Delegate MakeGetter(Func<int> row) => (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
    {
        var source = Rows[row()];
        source.CopyTo(VBuffer<T>.Edit(ref value, source.Length));
    });

    public override bool TryGetSpan<TItem>(int row, out ReadOnlySpan<TItem> values)
    {
        if (Rows[row] is TItem[] typed)
        {
            values = typed;
            return true;
        }

        values = default;
        return false;
    }

    public override ColumnStore Select(int[] rows) => new RaggedStore<T>(Array.ConvertAll(rows, r => Rows[r]));
}
