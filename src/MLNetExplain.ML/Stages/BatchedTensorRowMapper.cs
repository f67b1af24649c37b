using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// The row-at-a-time form of a batched stage, for <c>PredictionEngine</c>: each appended column is computed from
/// the input row as a batch of one, once per row position. Every row starts the computation afresh, so a seeded
/// method gives an image the same map whichever engine, thread or earlier calls served it.
/// </summary>
internal sealed class BatchedTensorRowMapper(TensorMapLayout layout) : IRowToRowMapper
{
    /// <inheritdoc />
    public DataViewSchema InputSchema => layout.InputSchema;

    /// <inheritdoc />
    public DataViewSchema OutputSchema => layout.OutputSchema;

    /// <inheritdoc />
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        layout.Dependencies(dependingColumns);

    /// <inheritdoc />
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return new Row(layout, input, activeColumns);
    }

    private sealed class Row : DataViewRow
    {
        private readonly TensorMapLayout _layout;
        private readonly DataViewRow _input;
        private readonly bool[] _active;
        private readonly TensorBatch? _batch;
        private readonly ValueGetter<VBuffer<float>>? _image;
        private readonly ValueGetter<uint>? _target;
        private VBuffer<float> _imageBuffer;
        private long _computedPosition = -1;

        public Row(TensorMapLayout layout, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            _layout = layout;
            _input = input;
            _active = new bool[layout.OutputSchema.Count];
            foreach (var column in activeColumns)
            {
                _active[column.Index] = true;
            }

            if (layout.Outputs.Any(o => _active[o.Index]))
            {
                _batch = new TensorBatch(layout, capacity: 1);
                _image = input.GetGetter<VBuffer<float>>(layout.Input);
                _target = layout.Target is { } target ? input.GetGetter<uint>(target) : null;
            }
        }

        public override DataViewSchema Schema => _layout.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this row of the {_layout.Map.Stage} stage.");
            }

            if (!_layout.IsComputed(column.Index))
            {
                return _input.GetGetter<TValue>(column);
            }

            if (typeof(TValue) != column.Type.RawType)
            {
                throw new InvalidOperationException($"Column '{column.Name}' holds {column.Type}; it cannot be read as {typeof(TValue).Name}.");
            }

            var output = _layout.Outputs.Select((o, k) => (o, k)).First(p => p.o.Index == column.Index).k;
            if (_layout.Outputs[output].IsKey)
            {
                ValueGetter<uint> keyGetter = (ref uint value) => CurrentBatch().ReadKey(output, 0, ref value);
                return (ValueGetter<TValue>)(Delegate)keyGetter;
            }

            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) => CurrentBatch().ReadOutput(output, 0, ref value);
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        /// <summary>The one-row batch of the input's current row, gathered on first use at each position.</summary>
        private TensorBatch CurrentBatch()
        {
            var batch = _batch!;
            // PredictionEngine advances the input row's position once per example.
            if (_computedPosition != _input.Position || batch.Count == 0)
            {
                batch.Clear();
                batch.Restart();
                _image!(ref _imageBuffer);
                uint key = 0;
                _target?.Invoke(ref key);
                batch.Add(_imageBuffer, key, _input.Position);
                _computedPosition = _input.Position;
            }

            return batch;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _batch?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
