using MLNetExplain.Data.Views;
using MLNetExplain.Torch;

namespace MLNetExplain.Data.Batching;

/// <summary>
/// Reads a data view in batches, assembling a vector column straight into one tensor [N, dims...] and an
/// optional label column into an int64 tensor [N] (key labels 1..K become class indices 0..K-1). Rows are
/// copied into one reused staging buffer, never into per-row arrays; in-memory views are copied from directly.
/// The cursor owns the current batch's tensors and frees them on the next <see cref="MoveNext()"/> or on dispose.
/// </summary>
public sealed class TensorBatchCursor : IDisposable
{
    private readonly DataViewRowCursor _cursor;
    private readonly int _batchSize;
    private readonly Device _device;
    private readonly IFeatureReader _features;
    private readonly Func<long>? _label;
    private readonly long[]? _labels;
    private readonly string? _labelColumn;

    /// <summary>Opens a cursor over <paramref name="view"/>; <paramref name="rand"/> shuffles when the view allows it.</summary>
    public TensorBatchCursor(IDataView view, string featureColumn, int batchSize, string? labelColumn = null,
        Random? rand = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var feature = view.Schema.GetColumnOrNull(featureColumn) ??
            throw new SchemaMismatchException("TensorBatchCursor", featureColumn, "a fixed-size numeric vector", "missing");
        if (feature.Type is not VectorDataViewType { IsKnownSize: true } vector)
        {
            throw new SchemaMismatchException("TensorBatchCursor", featureColumn, "a fixed-size numeric vector", feature.Type.ToString());
        }

        var columns = new List<DataViewSchema.Column> { feature };
        DataViewSchema.Column? label = null;
        if (labelColumn is not null)
        {
            label = view.Schema.GetColumnOrNull(labelColumn) ??
                throw new SchemaMismatchException("TensorBatchCursor", labelColumn, "a key or integer label", "missing");
            columns.Add(label);
        }

        _cursor = view.GetRowCursor(columns, rand);
        _batchSize = batchSize;
        _device = device ?? Device.Cpu;
        long[] shape = [batchSize, .. vector.Dimensions.Select(d => (long)d)];
        _features = vector.ItemType.RawType switch
        {
            var t when t == typeof(float) => new FeatureReader<float>(_cursor, feature, vector.Size, shape),
            var t when t == typeof(double) => new FeatureReader<double>(_cursor, feature, vector.Size, shape),
            var t when t == typeof(byte) => new FeatureReader<byte>(_cursor, feature, vector.Size, shape),
            _ => throw new SchemaMismatchException("TensorBatchCursor", featureColumn, "a vector of Single, Double or Byte", vector.ToString()),
        };
        if (label is not null)
        {
            _labelColumn = labelColumn;
            _label = LabelReader(_cursor, label);
            _labels = new long[batchSize];
        }
    }

    /// <summary>Rows in the current batch (the last batch may be short).</summary>
    public int Count { get; private set; }

    /// <summary>The current batch's features [Count, dims...]; owned by the cursor.</summary>
    public Tensor Features => _featureTensor ?? throw new InvalidOperationException("Call MoveNext first.");

    /// <summary>The current batch's class indices [Count] (int64), or null without a label column.</summary>
    public Tensor? Labels { get; private set; }

    private Tensor? _featureTensor;

    /// <summary>Rows read so far.</summary>
    public long RowsRead { get; private set; }

    /// <summary>Reads the next batch; false when the view is exhausted.</summary>
    public bool MoveNext() => MoveNext(assemble: true);

    /// <summary>Reads the next batch, building tensors only when <paramref name="assemble"/> (skipping is cheaper).</summary>
    public bool MoveNext(bool assemble)
    {
        FreeBatch();
        var n = 0;
        while (n < _batchSize && _cursor.MoveNext())
        {
            if (assemble)
            {
                _features.Read(n);
                if (_labels is not null)
                {
                    _labels[n] = _label!();
                }
            }

            n++;
        }

        Count = n;
        RowsRead += n;
        if (n == 0)
        {
            return false;
        }

        if (assemble)
        {
            _featureTensor = Own(_features.ToTensor(n));
            Labels = _labels is null ? null : Own(Tensor.FromSpan<long>(_labels.AsSpan(0, n), [n]));
        }

        return true;
    }

    private Tensor Own(Tensor cpu)
    {
        cpu.DetachFromDisposeScope();
        if (_device.Type == DeviceType.Cpu)
        {
            return cpu;
        }

        using (cpu)
        {
            return cpu.To(_device).DetachFromDisposeScope();
        }
    }

    private void FreeBatch()
    {
        _featureTensor?.Dispose();
        _featureTensor = null;
        Labels?.Dispose();
        Labels = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        FreeBatch();
        _cursor.Dispose();
    }

    private Func<long> LabelReader(DataViewRow row, DataViewSchema.Column column)
    {
        if (column.Type is KeyDataViewType key)
        {
            var getter = row.GetGetter<uint>(column);
            return () =>
            {
                uint v = 0;
                getter(ref v);
                if (v == 0 || v > key.Count)
                {
                    throw new InvalidDataException(
                        $"Row {row.Position}: label column '{_labelColumn}' holds key {v}, outside 1..{key.Count} (0 means missing).");
                }

                return v - 1;
            };
        }

        if (column.Type == NumberDataViewType.Int32 || column.Type == NumberDataViewType.Int64 || column.Type == NumberDataViewType.Byte)
        {
            var read = NumericReader.Create(row, column);
            return () => (long)read();
        }

        throw new SchemaMismatchException("TensorBatchCursor", column.Name, "a key or integer label", column.Type.ToString());
    }

    private interface IFeatureReader
    {
        void Read(int slot);

        Tensor ToTensor(int count);
    }

    private sealed class FeatureReader<T> : IFeatureReader where T : unmanaged
    {
        private readonly DataViewRowCursor _cursor;
        private readonly DataViewSchema.Column _column;
        private readonly int _size;
        private readonly long[] _shape;
        private readonly T[] _staging;
        private readonly ValueGetter<VBuffer<T>> _getter;
        private readonly IRowSpanSource? _spans;
        private VBuffer<T> _buffer;

        public FeatureReader(DataViewRowCursor cursor, DataViewSchema.Column column, int size, long[] shape)
        {
            (_cursor, _column, _size, _shape) = (cursor, column, size, shape);
            _staging = new T[shape[0] * size];
            _getter = cursor.GetGetter<VBuffer<T>>(column);
            _spans = cursor as IRowSpanSource;
        }

        public void Read(int slot)
        {
            var target = _staging.AsSpan(slot * _size, _size);
            if (_spans is not null && _spans.TryGetSpan<T>(_column, out var direct))
            {
                direct.CopyTo(target);
                return;
            }

            _getter(ref _buffer);
            if (_buffer.Length != _size)
            {
                throw new InvalidDataException(
                    $"Row {_cursor.Position}: column '{_column.Name}' holds {_buffer.Length} values; {_column.Type} needs {_size}.");
            }

            _buffer.GetValues().CopyTo(target);
        }

        public Tensor ToTensor(int count)
        {
            _shape[0] = count;
            return Tensor.FromSpan<T>(_staging.AsSpan(0, count * _size), _shape);
        }
    }
}
