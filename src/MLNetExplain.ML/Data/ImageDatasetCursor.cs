using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Datasets;

namespace MLNetExplain.ML.Data;

/// <summary>Walks an <see cref="ImageDatasetDataView"/> in dataset order or in one fixed permutation.</summary>
internal sealed class ImageDatasetCursor : DataViewRowCursor
{
    private readonly ImageDatasetDataView _view;
    private readonly ImageDataset _dataset;
    private readonly bool[] _active;
    private readonly int[]? _order;
    private long _position = -1;
    private int _row = -1;

    public ImageDatasetCursor(ImageDatasetDataView view, ImageDataset dataset, bool[] active, int[]? order)
    {
        _view = view;
        _dataset = dataset;
        _active = active;
        _order = order;
    }

    public override DataViewSchema Schema => _view.Schema;

    public override long Position => _position;

    public override long Batch => 0;

    public override bool MoveNext()
    {
        if (_position + 1 >= _dataset.Count)
        {
            _row = -1;
            _position = _dataset.Count;
            return false;
        }

        _position++;
        _row = _order is null ? (int)_position : _order[_position];
        return true;
    }

    /// <summary>A row's id is its index in the dataset, so it stays unique and stable under shuffling.</summary>
    public override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId value) => value = new DataViewRowId((ulong)CurrentRow(), 0);

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index < _active.Length && _active[column.Index];

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' was not requested when this cursor was made; pass it in columnsNeeded.");
        }

        Delegate getter = column.Index == ImageDatasetDataView.LabelIndex
            ? (ValueGetter<uint>)GetLabel
            : (ValueGetter<VBuffer<float>>)GetFeatures;
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Column '{column.Name}' holds {column.Type.RawType.Name} values, not {typeof(TValue).Name}.");
    }

    /// <summary>ML.NET keys count from 1 (0 means missing), so class index k is stored as k + 1.</summary>
    private void GetLabel(ref uint value) => value = (uint)_dataset.Labels[CurrentRow()] + 1;

    private void GetFeatures(ref VBuffer<float> value)
    {
        int size = _dataset.ImageSize;
        ReadOnlySpan<byte> pixels = _dataset.Pixels.AsSpan(CurrentRow() * size, size);
        VBufferEditor<float> editor = VBufferEditor.Create(ref value, size);
        Span<float> values = editor.Values;

        // Division rather than multiplication by 1/255 gives the same floats as the tensor path
        // (ImageDatasetTensors.ToTensors); ExtractPixels(scaleImage: 1f / 255) is within one ulp of these.
        for (int i = 0; i < size; i++)
        {
            values[i] = pixels[i] / 255f;
        }

        value = editor.Commit();
    }

    private int CurrentRow()
    {
        if (_row < 0)
        {
            throw new InvalidOperationException(
                "The cursor is not on a row: call MoveNext() first, and read only while it returns true.");
        }

        return _row;
    }
}
