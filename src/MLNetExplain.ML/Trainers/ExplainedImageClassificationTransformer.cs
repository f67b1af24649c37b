using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Explainer;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// A classifier that explains itself (seed 001): one forward pass per batch appends <c>Score</c>,
/// <c>PredictedLabel</c> and the explainer head's heatmap (<c>Explanation</c>, <c>Vector&lt;Single, 1, H, W&gt;</c>).
/// Fitted by <c>mlContext.MulticlassClassification.Trainers.ExplainerAlignment(...)</c>; save pipelines holding it
/// with <see cref="ExplainerModelOperations.SaveWithExplainers"/>.
/// </summary>
public sealed class ExplainedImageClassificationTransformer : ITransformer, IExplainSavable, IDisposable
{
    internal const string SavedKind = "ExplainedImageClassification";
    private readonly TensorMapTransformer _map;

    internal ExplainedImageClassificationTransformer(ExplainedClassifier model, ClassifierSpec spec, string[]? classNames, ExplainedImageClassificationTrainer.Options options)
    {
        Model = model;
        Spec = spec;
        ClassNames = classNames;
        FeatureColumnName = options.FeatureColumnName;
        ScoreColumnName = options.ScoreColumnName;
        PredictedLabelColumnName = options.PredictedLabelColumnName;
        ExplanationColumnName = options.ExplanationColumnName;
        ScoringBatchSize = options.ScoringBatchSize;
        Model.eval();
        // Stages given this network or its backbone (e.g. Saliency) can then be saved with it.
        ModelArchitectures.Register(model.Classifier, spec);
        var head = model.Explainer.Spec;
        var columns = ClassifierOutputs.Columns(ScoreColumnName, PredictedLabelColumnName, spec.NumClasses, classNames).ToList();
        columns.Add(new TensorOutputColumn(ExplanationColumnName, _ => [head.OutputChannels, head.InputHeight, head.InputWidth]));
        _map = new TensorMapTransformer(new BatchedTensorMap("ExplainedImageClassification", FeatureColumnName, null, ScoringBatchSize, columns,
            () => new TensorBatchFunction((images, _) => Score(images))));
    }

    /// <summary>The classifier f and its explainer head E.</summary>
    public ExplainedClassifier Model { get; }

    /// <summary>The architecture of the classifier f.</summary>
    public ClassifierSpec Spec { get; }

    /// <summary>Class names by 0-based class index, from the training label's key values; null when it had none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The image column read.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The probabilities column appended.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted-class key column appended.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>The heatmap column appended.</summary>
    public string ExplanationColumnName { get; }

    /// <summary>Rows per forward pass.</summary>
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
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw ExplainerModelOperations.NotSupported("ExplainedImageClassification");

    void IExplainSavable.CheckSavable()
    {
    }

    void IExplainSavable.Save(ExplainStageWriter writer)
    {
        writer.WriteSettings(new Saved(Spec, Model.Explainer.Spec, ClassNames?.ToArray(), FeatureColumnName, ScoreColumnName,
            PredictedLabelColumnName, ExplanationColumnName, ScoringBatchSize));
        writer.WriteModule("model", Model);
    }

    internal static ExplainedImageClassificationTransformer Load(ExplainStageReader reader)
    {
        var saved = reader.ReadSettings<Saved>();
        var model = new ExplainedClassifier(saved.Spec.Build(), saved.Head.Build());
        try
        {
            reader.LoadModule("model", model);
            return new ExplainedImageClassificationTransformer(model, saved.Spec, saved.ClassNames, new ExplainedImageClassificationTrainer.Options
            {
                FeatureColumnName = saved.FeatureColumnName,
                ScoreColumnName = saved.ScoreColumnName,
                PredictedLabelColumnName = saved.PredictedLabelColumnName,
                ExplanationColumnName = saved.ExplanationColumnName,
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

    private Tensor[] Score(Tensor images)
    {
        var (probabilities, predicted, maps) = Model.Explain(images.to(ClassifierOutputs.ModelDevice(Model)));
        return [probabilities.cpu(), predicted.to_type(ScalarType.Float32).cpu(), maps.cpu()];
    }

    private sealed record Saved(ClassifierSpec Spec, ExplainerHeadSpec Head, string[]? ClassNames, string FeatureColumnName, string ScoreColumnName,
        string PredictedLabelColumnName, string ExplanationColumnName, int ScoringBatchSize);
}
