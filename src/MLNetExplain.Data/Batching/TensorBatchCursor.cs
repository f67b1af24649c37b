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
    private readonly IFeatureReader[] _extraReaders;
    private readonly Tensor?[] _extraTensors;
    private readonly Func<long>? _label;
    private readonly long[]? _labels;
    private readonly string? _labelColumn;

    /// <summary>
    /// Opens a cursor over <paramref name="view"/>; <paramref name="rand"/> shuffles when the view allows it.
    /// <paramref name="extraColumns"/> are further fixed-size vector columns assembled alongside, into <see cref="Extras"/>.
    /// </summary>
    public TensorBatchCursor(IDataView view, string featureColumn, int batchSize, string? labelColumn = null,
        Random? rand = null, Device? device = null, params string[] extraColumns)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var feature = VectorColumn(view, featureColumn);
        var extras = extraColumns.Select(c => VectorColumn(view, c)).ToList();
        var columns = new List<DataViewSchema.Column> { feature };
        columns.AddRange(extras);
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
        _features = Reader(_cursor, feature, batchSize);
        _extraReaders = extras.Select(c => Reader(_cursor, c, batchSize)).ToArray();
        _extraTensors = new Tensor?[_extraReaders.Length];
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

    /// <summary>The current batch of each extra column, in the order given; owned by the cursor.</summary>
    public IReadOnlyList<Tensor> Extras => _extraTensors.Select(t => t ?? throw new InvalidOperationException("Call MoveNext first.")).ToArray();

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
                foreach (var extra in _extraReaders)
                {
                    extra.Read(n);
                }

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
            for (var k = 0; k < _extraReaders.Length; k++)
            {
                _extraTensors[k] = Own(_extraReaders[k].ToTensor(n));
            }

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
        for (var k = 0; k < _extraTensors.Length; k++)
        {
            _extraTensors[k]?.Dispose();
            _extraTensors[k] = null;
        }

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

    private static DataViewSchema.Column VectorColumn(IDataView view, string name)
    {
        var column = view.Schema.GetColumnOrNull(name) ??
            throw new SchemaMismatchException("TensorBatchCursor", name, "a fixed-size numeric vector", "missing");
        return column.Type is VectorDataViewType { IsKnownSize: true } ? column
            : throw new SchemaMismatchException("TensorBatchCursor", name, "a fixed-size numeric vector", column.Type.ToString());
    }

    private static IFeatureReader Reader(DataViewRowCursor cursor, DataViewSchema.Column column, int batchSize)
    {
        var vector = (VectorDataViewType)column.Type;
        long[] shape = [batchSize, .. vector.Dimensions.Select(d => (long)d)];
        return vector.ItemType.RawType switch
        {
            var t when t == typeof(float) => new FeatureReader<float>(cursor, column, vector.Size, shape),
            var t when t == typeof(double) => new FeatureReader<double>(cursor, column, vector.Size, shape),
            var t when t == typeof(byte) => new FeatureReader<byte>(cursor, column, vector.Size, shape),
            _ => throw new SchemaMismatchException("TensorBatchCursor", column.Name, "a vector of Single, Double or Byte", vector.ToString()),
        };
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
