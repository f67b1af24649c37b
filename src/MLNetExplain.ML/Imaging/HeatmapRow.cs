using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Imaging;

/// <summary>A row of the rendering stage's output: the input row's columns, plus the image column rendered on demand.</summary>
internal sealed class HeatmapRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly HeatmapColumnBinding _binding;
    private readonly bool _outputActive;
    private ValueGetter<MLImage>? _getter;

    public HeatmapRow(DataViewRow input, HeatmapColumnBinding binding, bool outputActive)
    {
        _input = input;
        _binding = binding;
        _outputActive = outputActive;
    }

    public override DataViewSchema Schema => _binding.OutputSchema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index == _binding.OutputIndex ? _outputActive : _input.IsColumnActive(_input.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != _binding.OutputIndex)
        {
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        if (!_outputActive)
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' was not requested when this row or cursor was made; pass it in columnsNeeded.");
        }

        _getter ??= _binding.MakeGetter(_input);
        return _getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' holds MLImage values, not {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
        }

        base.Dispose(disposing);
    }
}
