using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// A fitted image classifier in an ML.NET pipeline: appends <c>Score</c> (class probabilities; slot names are the
/// class names when the training label had key values) and <c>PredictedLabel</c> (a key over the same classes),
/// so <c>MulticlassClassification.Evaluate</c> and <c>MapKeyToValue</c> work on its output unchanged. Rows are
/// scored lazily, in batches, on the model's device. Save pipelines holding it with
/// <see cref="ExplainerModelOperations.SaveWithExplainers"/>.
/// </summary>
public sealed class ImageClassificationTransformer : ITransformer, IExplainSavable, IDisposable
{
    internal const string SavedKind = "ImageClassification";
    private readonly TensorMapTransformer _map;

    internal ImageClassificationTransformer(ConvClassifier model, ClassifierSpec spec, string[]? classNames, ImageClassificationTrainer.Options options)
    {
        Model = model;
        Spec = spec;
        ClassNames = classNames;
        FeatureColumnName = options.FeatureColumnName;
        ScoreColumnName = options.ScoreColumnName;
        PredictedLabelColumnName = options.PredictedLabelColumnName;
        ScoringBatchSize = options.ScoringBatchSize;
        Model.eval();
        // Stages given this network (e.g. Saliency) can then be saved with it.
        ModelArchitectures.Register(model, spec);
        _map = new TensorMapTransformer(new BatchedTensorMap(
            "ImageClassification", FeatureColumnName, null, ScoringBatchSize, ClassifierOutputs.Columns(ScoreColumnName, PredictedLabelColumnName, spec.NumClasses, classNames),
            () => new TensorBatchFunction((images, _) => ClassifierOutputs.Score(Model, images))));
    }

    /// <summary>The trained network (images in [0, 1] -> logits).</summary>
    public ConvClassifier Model { get; }

    /// <summary>The architecture that rebuilds <see cref="Model"/>.</summary>
    public ClassifierSpec Spec { get; }

    /// <summary>Class names by 0-based class index, from the training label's key values; null when it had none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The image column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The probabilities column appended.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted-class key column appended.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Rows scored per forward pass.</summary>
    public int ScoringBatchSize { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    string IExplainSavable.Kind => SavedKind;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _map.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _map.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => _map.Transform(input);

    /// <inheritdoc />
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw ExplainerModelOperations.NotSupported("ImageClassification");

    void IExplainSavable.CheckSavable()
    {
    }

    void IExplainSavable.Save(ExplainStageWriter writer)
    {
        writer.WriteSettings(new Saved(Spec, ClassNames?.ToArray(), FeatureColumnName, ScoreColumnName, PredictedLabelColumnName, ScoringBatchSize));
        writer.WriteModule("model", Model);
    }

    internal static ImageClassificationTransformer Load(ExplainStageReader reader)
    {
        var saved = reader.ReadSettings<Saved>();
        var model = saved.Spec.Build();
        try
        {
            reader.LoadModule("model", model);
            return new ImageClassificationTransformer(model, saved.Spec, saved.ClassNames, new ImageClassificationTrainer.Options
            {
                FeatureColumnName = saved.FeatureColumnName,
                ScoreColumnName = saved.ScoreColumnName,
                PredictedLabelColumnName = saved.PredictedLabelColumnName,
                ScoringBatchSize = saved.ScoringBatchSize,
            });
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Frees the network's native memory.</summary>
    public void Dispose() => Model.Dispose();

    private sealed record Saved(ClassifierSpec Spec, string[]? ClassNames, string FeatureColumnName, string ScoreColumnName, string PredictedLabelColumnName, int ScoringBatchSize);
}
