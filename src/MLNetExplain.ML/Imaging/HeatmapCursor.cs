using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Imaging;

/// <summary>Moves one upstream cursor and serves its rows through a <see cref="HeatmapRow"/>.</summary>
internal sealed class HeatmapCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly HeatmapRow _row;

    public HeatmapCursor(DataViewRowCursor input, HeatmapColumnBinding binding, bool outputActive)
    {
        _input = input;
        _row = new HeatmapRow(input, binding, outputActive);
    }

    public override DataViewSchema Schema => _row.Schema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override bool MoveNext() => _input.MoveNext();

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _row.Dispose();
        }

        base.Dispose(disposing);
    }
}
