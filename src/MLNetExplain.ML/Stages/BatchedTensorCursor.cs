using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Wraps ONE upstream cursor. When an appended column is active it reads up to a batch of rows ahead, keeping the
/// active pass-through values per row and copying the images into a <see cref="TensorBatch"/>; the batch is
/// computed on the first read of an appended column and rows are then served from the cache. Otherwise rows pass
/// straight through. One upstream cursor means images are decoded once and any order (shuffled too) is kept.
/// </summary>
internal sealed class BatchedTensorCursor : DataViewRowCursor
{
    private readonly TensorMapLayout _layout;
    private readonly DataViewRowCursor _upstream;
    private readonly bool[] _active;
    private readonly TensorBatch? _batch;
    private readonly RowValueCache[] _caches = [];
    private readonly ValueGetter<VBuffer<float>>? _image;
    private readonly ValueGetter<uint>? _target;
    private readonly ValueGetter<DataViewRowId>? _id;
    private readonly DataViewRowId[] _ids = [];
    private VBuffer<float> _imageBuffer;
    private int _slot = -1;
    private long _position = -1;

    public BatchedTensorCursor(TensorMapLayout layout, DataViewRowCursor upstream, IEnumerable<DataViewSchema.Column> active)
    {
        _layout = layout;
        _upstream = upstream;
        _active = new bool[layout.OutputSchema.Count];
        foreach (var column in active)
        {
            _active[column.Index] = true;
        }

        var outputs = layout.Outputs.Where(o => _active[o.Index]).Select(o => o.Name).ToList();
        if (outputs.Count == 0)
        {
            return;
        }

        var capacity = layout.Map.BatchSize;
        _batch = new TensorBatch(layout, capacity);
        _image = upstream.GetGetter<VBuffer<float>>(layout.Input);
        _target = layout.Target is { } target ? upstream.GetGetter<uint>(target) : null;
        _id = upstream.GetIdGetter();
        _ids = new DataViewRowId[capacity];
        _caches = [.. Enumerable.Range(0, layout.InputSchema.Count).Where(i => _active[i])
            .Select(i => RowValueCache.Create(upstream, layout.InputSchema[i], capacity, layout.Map.Stage, outputs))];
    }

    /// <inheritdoc />
    public override DataViewSchema Schema => _layout.OutputSchema;

    /// <inheritdoc />
    public override long Position => _batch is null ? _upstream.Position : _position;

    /// <inheritdoc />
    public override long Batch => _batch is null ? _upstream.Batch : 0;

    /// <inheritdoc />
    public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

    /// <inheritdoc />
    public override bool MoveNext()
    {
        if (_batch is null)
        {
            return _upstream.MoveNext();
        }

        if (++_slot >= _batch.Count)
        {
            if (!ReadBatch())
            {
                return false;
            }

            _slot = 0;
        }

        _position++;
        return true;
    }

    private bool ReadBatch()
    {
        var batch = _batch!;
        batch.Clear();
        // Every batch starts a seeded method afresh, as PredictionEngine does for every row: a batch shares one
        // noise draw per sample, so an image's map then depends on the seed alone, not on BatchSize or its batch.
        batch.Restart();
        while (batch.Count < batch.Capacity && _upstream.MoveNext())
        {
            var slot = batch.Count;
            foreach (var cache in _caches)
            {
                cache.Store(slot);
            }

            _id!(ref _ids[slot]);
            _image!(ref _imageBuffer);
            uint key = 0;
            _target?.Invoke(ref key);
            batch.Add(_imageBuffer, key, _upstream.Position);
        }

        return batch.Count > 0;
    }

    /// <inheritdoc />
    public override ValueGetter<DataViewRowId> GetIdGetter()
    {
        if (_batch is null)
        {
            return _upstream.GetIdGetter();
        }

        return (ref DataViewRowId id) => id = _ids[_slot];
    }

    /// <inheritdoc />
    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' is not active in this cursor of the {_layout.Map.Stage} stage.");
        }

        if (typeof(TValue) != column.Type.RawType)
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}' holds {column.Type} ({column.Type.RawType.Name}); it cannot be read as {typeof(TValue).Name}.");
        }

        if (!_layout.IsComputed(column.Index))
        {
            return _batch is null
                ? _upstream.GetGetter<TValue>(column)
                : (ValueGetter<TValue>)_caches.First(c => c.ColumnIndex == column.Index).Getter(() => _slot);
        }

        var output = _layout.Outputs.Select((o, k) => (o, k)).First(p => p.o.Index == column.Index).k;
        if (_layout.Outputs[output].IsKey)
        {
            ValueGetter<uint> keyGetter = (ref uint value) => _batch!.ReadKey(output, _slot, ref value);
            return (ValueGetter<TValue>)(Delegate)keyGetter;
        }

        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) => _batch!.ReadOutput(output, _slot, ref value);
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _upstream.Dispose();
            _batch?.Dispose();
        }

        base.Dispose(disposing);
    }
}
