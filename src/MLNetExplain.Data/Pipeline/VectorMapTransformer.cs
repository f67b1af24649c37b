using MLNetExplain.Data.Views;

namespace MLNetExplain.Data;

/// <summary>
/// Base of transformers that map one fixed-size numeric vector column (Single or Byte, e.g. an image in CHW
/// order) to a new Single vector column, row by row and lazily. Subclasses give the output shape and the
/// per-row function; schema checks, type conversion, buffer reuse and column plumbing live here.
/// </summary>
public abstract class VectorMapTransformer : ISavableTransformer
{
    /// <summary>Creates the transformer for (outputColumnName, inputColumnName).</summary>
    protected VectorMapTransformer(string outputColumnName, string? inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName ?? outputColumnName;
    }

    /// <summary>The column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The stage name used in error messages.</summary>
    protected virtual string StageName => GetType().Name;

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>The output dimensions for an input of <paramref name="inputDimensions"/>; throw to reject it.</summary>
    protected abstract int[] OutputDimensions(IReadOnlyList<int> inputDimensions);

    /// <summary>
    /// Per-cursor state and function: returns the action computing one row's output from its input. Called once
    /// per cursor (so stateful work such as seeded augmentation can keep its generator there).
    /// </summary>
    protected abstract RowFunction CreateRowFunction(IReadOnlyList<int> inputDimensions);

    /// <summary>Computes one row: input values (as float) to output values.</summary>
    protected delegate void RowFunction(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Checks the input column statically; shared by the estimator and the transformer.</summary>
    public static SchemaShape.Column CheckInput(SchemaShape shape, string column, string stage) =>
        shape.Require(column, "a fixed-size vector of Single or Byte (an image in CHW order)",
            c => c.Kind == SchemaShape.VectorKind.Vector && (c.ItemType == NumberDataViewType.Single || c.ItemType == NumberDataViewType.Byte),
            stage);

    /// <summary>The output column's shape for an input shape (used by estimators' GetOutputSchema).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = CheckInput(inputSchema, InputColumnName, StageName);
        return inputSchema.With(new SchemaShape.Column(OutputColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single,
            false, OutputDimensions(input.Dimensions)));
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var input = CheckInput(SchemaShape.Create(inputSchema), InputColumnName, StageName);
        return inputSchema.Append([(OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, OutputDimensions(input.Dimensions)), null)]);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = CheckInput(SchemaShape.Create(input.Schema), InputColumnName, StageName);
        return new MappedDataView(input, new Mapper(this, column));
    }

    /// <inheritdoc />
    public abstract void Save(ModelSaveContext context);

    private sealed class Mapper(VectorMapTransformer owner, SchemaShape.Column input) : RowMapper
    {
        private readonly int[] _outputDims = owner.OutputDimensions(input.Dimensions);

        public override IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> OutputColumns =>
            [(owner.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, _outputDims), null)];

        public override IEnumerable<DataViewSchema.Column> GetDependencies(DataViewSchema schema, IReadOnlyList<int> activeOutputs) =>
            activeOutputs.Count > 0 ? [schema[owner.InputColumnName]] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, bool[] activeOutputs)
        {
            if (!activeOutputs[0])
            {
                return [null];
            }

            var column = row.Schema[owner.InputColumnName];
            var function = owner.CreateRowFunction(input.Dimensions);
            var outputSize = _outputDims.Aggregate(1, (a, b) => a * b);
            var floats = new float[input.Size];
            Func<ReadOnlySpan<float>> read;
            if (input.ItemType == NumberDataViewType.Byte)
            {
                var getter = row.GetGetter<VBuffer<byte>>(column);
                var buffer = default(VBuffer<byte>);
                read = () =>
                {
                    getter(ref buffer);
                    var values = buffer.GetValues();
                    for (var i = 0; i < floats.Length; i++)
                    {
                        floats[i] = values[i];
                    }

                    return floats;
                };
            }
            else
            {
                var getter = row.GetGetter<VBuffer<float>>(column);
                var buffer = default(VBuffer<float>);
                read = () =>
                {
                    getter(ref buffer);
                    return buffer.GetValues();
                };
            }

            return [(ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                var source = read();
                if (source.Length != input.Size)
                {
                    throw new InvalidDataException($"{owner.StageName}: row {row.Position} of column '{owner.InputColumnName}' has {source.Length} values, expected {input.Size}.");
                }

                function(source, VBuffer<float>.Edit(ref value, outputSize));
            })];
        }
    }
}

/// <summary>
/// An estimator with nothing to learn (ML.NET's TrivialEstimator): <c>Fit</c> checks the schema and returns its
/// fixed <see cref="VectorMapTransformer"/>.
/// </summary>
public abstract class VectorMapEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : VectorMapTransformer
{
    private readonly TTransformer _transformer;

    /// <summary>Wraps the transformer every Fit returns.</summary>
    protected VectorMapEstimator(TTransformer transformer) => _transformer = transformer ?? throw new ArgumentNullException(nameof(transformer));

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _transformer.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }
}
