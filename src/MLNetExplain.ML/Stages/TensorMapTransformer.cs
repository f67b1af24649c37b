using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// The transformer form of a <see cref="BatchedTensorMap"/>: <see cref="Transform"/> returns a lazy view, and
/// <see cref="GetRowToRowMapper"/> serves PredictionEngine. The public stages wrap one and add their own saving.
/// </summary>
internal sealed class TensorMapTransformer(BatchedTensorMap map) : ITransformer
{
    /// <summary>The computation.</summary>
    public BatchedTensorMap Map { get; } = map ?? throw new ArgumentNullException(nameof(map));

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Map.Bind(inputSchema).OutputSchema;

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new BatchedTensorRowMapper(Map.Bind(inputSchema));

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedTensorDataView(input, Map.Bind(input.Schema));
    }

    /// <inheritdoc />
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw MLNetExplain.ML.Persistence.ExplainerModelOperations.NotSupported(Map.Stage);
}
