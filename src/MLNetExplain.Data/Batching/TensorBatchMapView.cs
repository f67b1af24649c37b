using MLNetExplain.Torch;

namespace MLNetExplain.Data.Batching;

/// <summary>One column computed from a batch tensor: float32 [N] or [N, dims...] for Single scalars and
/// vectors, int64 class indices [N] for keys (stored 1-based).</summary>
public sealed record TensorColumn(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null);

/// <summary>
/// Appends columns computed by a function of a batch tensor (the reverse of <see cref="TensorBatchCursor"/>).
/// Streaming and lazy: a cursor computes one batch at a time when an appended column is first read within it,
/// and never materialises the view. A second cursor over the source, kept in step, feeds the batches; so the
/// source must give the same order to two cursors made with equal seeds (all views here do).
/// </summary>
public sealed class TensorBatchMapView : IDataView
{
    private readonly IDataView _source;
    private readonly string _inputColumn;
    private readonly int _batchSize;
    private readonly IReadOnlyList<TensorColumn> _outputs;
    private readonly Func<Tensor, Tensor?, Tensor[]> _map;
    private readonly string? _targetColumn;
    private readonly Device _device;

    /// <summary>
    /// Creates the view. <paramref name="map"/> receives the batch of <paramref name="inputColumn"/> and returns
    /// one tensor per output column, first dimension N; the view frees the returned tensors.
    /// </summary>
    public TensorBatchMapView(IDataView source, string inputColumn, int batchSize, IReadOnlyList<TensorColumn> outputs,
        Func<Tensor, Tensor[]> map, Device? device = null)
        : this(source, inputColumn, null, batchSize, outputs, (x, _) => map(x), device)
    {
    }

    /// <summary>
    /// Creates a view whose function also receives the batch's class indices from <paramref name="targetColumn"/>
    /// (a key or integer column; null passes null), e.g. the class an attribution explains.
    /// </summary>
    public TensorBatchMapView(IDataView source, string inputColumn, string? targetColumn, int batchSize, IReadOnlyList<TensorColumn> outputs,
        Func<Tensor, Tensor?, Tensor[]> map, Device? device = null)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _inputColumn = inputColumn;
        _batchSize = batchSize;
        _outputs = outputs;
        _map = map;
        _targetColumn = targetColumn;
        _device = device ?? Device.Cpu;
        foreach (var o in outputs)
        {
            if (o.Type is not (KeyDataViewType or VectorDataViewType { ItemType: NumberDataViewType }) && o.Type != NumberDataViewType.Single)
            {
                throw new ArgumentException($"Output column '{o.Name}' must be Single, a Single vector or a key; got {o.Type}.");
            }
        }

        Schema = source.Schema.Append(outputs.Select(o => (o.Name, o.Type, o.Annotations)));
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public bool CanShuffle => _source.CanShuffle;

    /// <inheritdoc />
    public long? GetRowCount() => _source.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var sourceCount = _source.Schema.Count;
        // Both cursors must see one order: derive one seed and give each its own generator.
        var seed = rand?.Next();
        var main = _source.GetRowCursor(_source.Schema.Where(c => needed.Contains(c.Index)), seed is { } s ? new Random(s) : null);
        var anyOutput = needed.Any(i => i >= sourceCount);
        var batches = anyOutput
            ? new TensorBatchCursor(_source, _inputColumn, _batchSize, _targetColumn, seed is { } s2 ? new Random(s2) : null, _device)
            : null;
        return new Cursor(this, main, batches, needed);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly TensorBatchMapView _view;
        private readonly DataViewRowCursor _main;
        private readonly TensorBatchCursor? _batches;
        private readonly HashSet<int> _active;
        private readonly float[][] _floats;
        private readonly long[][] _indices;
        private readonly int[] _widths;
        private long _batchStart = -1;
        private int _batchCount;

        public Cursor(TensorBatchMapView view, DataViewRowCursor main, TensorBatchCursor? batches, HashSet<int> active)
        {
            (_view, _main, _batches, _active) = (view, main, batches, active);
            _floats = new float[view._outputs.Count][];
            _indices = new long[view._outputs.Count][];
            _widths = view._outputs.Select(o => o.Type is VectorDataViewType v ? v.Size : 1).ToArray();
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _main.Position;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext() => _main.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

        public override ValueGetter<T> GetGetter<T>(DataViewSchema.Column column)
        {
            CheckGetter<T>(column);
            var sourceCount = _view._source.Schema.Count;
            if (column.Index < sourceCount)
            {
                return _main.GetGetter<T>(_main.Schema[column.Index]);
            }

            var k = column.Index - sourceCount;
            var width = _widths[k];
            // Slot() may compute a new batch, so it runs before the batch arrays are read.
            Delegate getter = _view._outputs[k].Type switch
            {
                KeyDataViewType => (ValueGetter<uint>)((ref uint v) =>
                {
                    var slot = Slot();
                    v = (uint)(_indices[k][slot] + 1);
                }),
                VectorDataViewType => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
                {
                    var slot = Slot();
                    _floats[k].AsSpan(slot * width, width).CopyTo(VBuffer<float>.Edit(ref v, width));
                }),
                _ => (ValueGetter<float>)((ref float v) =>
                {
                    var slot = Slot();
                    v = _floats[k][slot];
                }),
            };
            return (ValueGetter<T>)getter;
        }

        // The row's index within the computed batch, computing the batch that holds it if needed.
        private int Slot()
        {
            var p = _main.Position;
            while (p >= _batchStart + _batchCount || _batchStart < 0)
            {
                var start = _batches!.RowsRead;
                var computeThis = p < start + _view._batchSize;
                if (!_batches.MoveNext(assemble: computeThis))
                {
                    throw new InvalidOperationException("The source yielded fewer rows to the batch cursor than to the row cursor.");
                }

                _batchStart = start;
                _batchCount = computeThis ? _batches.Count : 0;
                if (computeThis)
                {
                    Compute(_batches.Features, _batches.Labels, _batches.Count);
                }
            }

            return (int)(p - _batchStart);
        }

        private void Compute(Tensor input, Tensor? targets, int n)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            var results = _view._map(input, targets);
            if (results.Length != _view._outputs.Count)
            {
                throw new InvalidOperationException($"The batch function returned {results.Length} tensors for {_view._outputs.Count} columns.");
            }

            for (var k = 0; k < results.Length; k++)
            {
                var output = _view._outputs[k];
                var r = results[k];
                if (r.Size(0) != n || r.Numel != (long)n * _widths[k])
                {
                    throw new InvalidOperationException(
                        $"Column '{output.Name}' ({output.Type}) needs a tensor of {n} x {_widths[k]} values, got [{string.Join(", ", r.Shape)}].");
                }

                if (output.Type is KeyDataViewType)
                {
                    _indices[k] = r.To(ScalarType.Int64).ToArray<long>();
                }
                else
                {
                    _floats[k] = r.To(ScalarType.Float32).ToArray<float>();
                }
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _batches?.Dispose();
            }
        }
    }
}
