using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// What every fitted image classifier of MLNetExplain shares: the image column it reads, the <c>Score</c> and
/// <c>PredictedLabel</c> columns it appends (plus any map the subclass adds), lazy batched scoring and a row mapper
/// for <c>PredictionEngine</c>. Save pipelines holding one with <see cref="ExplainerModelOperations.SaveWithExplainers"/>.
/// </summary>
public abstract class ImageScoringTransformer : ITransformer, IDisposable
{
    private readonly TensorMapTransformer _map;

    private protected ImageScoringTransformer(string stage, ClassifierSpec spec, string[]? classNames, ImageTrainerOptions options,
        IEnumerable<TensorOutputColumn> extraColumns, Func<TensorBatchFunction> open)
    {
        Spec = spec;
        ClassNames = classNames;
        FeatureColumnName = options.FeatureColumnName;
        ScoreColumnName = options.ScoreColumnName;
        PredictedLabelColumnName = options.PredictedLabelColumnName;
        ScoringBatchSize = options.ScoringBatchSize;
        Stage = stage;
        var columns = ClassifierOutputs.Columns(ScoreColumnName, PredictedLabelColumnName, spec.NumClasses, classNames).Concat(extraColumns).ToList();
        _map = new TensorMapTransformer(new BatchedTensorMap(stage, FeatureColumnName, null, ScoringBatchSize, columns, open));
    }

    /// <summary>The architecture of the classifier.</summary>
    public ClassifierSpec Spec { get; }

    /// <summary>Class names by 0-based class index, from the training label's key values; null when it had none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The image column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The probabilities column appended.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted-class key column appended.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Rows per forward pass.</summary>
    public int ScoringBatchSize { get; }

    /// <summary>The stage's name in messages.</summary>
    private protected string Stage { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _map.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _map.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => _map.Transform(input);

    /// <inheritdoc />
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw ExplainerModelOperations.NotSupported(Stage);

    /// <summary>Frees the network's native memory.</summary>
    public abstract void Dispose();
}
