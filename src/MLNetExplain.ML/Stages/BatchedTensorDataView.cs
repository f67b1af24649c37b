using Microsoft.ML;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// The lazy output of a batched stage: nothing is computed until a cursor reads an appended column, and then one
/// batch at a time (<see cref="BatchedTensorCursor"/>).
/// </summary>
internal sealed class BatchedTensorDataView(IDataView source, TensorMapLayout layout) : IDataView
{
    /// <inheritdoc />
    public DataViewSchema Schema => layout.OutputSchema;

    /// <inheritdoc />
    public bool CanShuffle => source.CanShuffle;

    /// <inheritdoc />
    public long? GetRowCount() => source.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        var upstream = source.GetRowCursor(layout.Dependencies(needed), rand);
        return new BatchedTensorCursor(layout, upstream, needed);
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        // One cursor keeps whole batches together; a cursor set would split them into per-thread fragments.
        [GetRowCursor(columnsNeeded, rand)];
}
