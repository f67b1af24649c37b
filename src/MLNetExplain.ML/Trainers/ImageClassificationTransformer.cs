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
public sealed class ImageClassificationTransformer : ImageScoringTransformer, IExplainSavable
{
    internal const string SavedKind = "ImageClassification";

    internal ImageClassificationTransformer(ConvClassifier model, ClassifierSpec spec, string[]? classNames, ImageClassificationTrainer.Options options)
        : base("ImageClassification", spec, classNames, options, [], () => new TensorBatchFunction((images, _) => ClassifierOutputs.Score(model, images)))
    {
        Model = model;
        Model.eval();
        // Stages given this network (e.g. Saliency) can then be saved with it.
        ModelArchitectures.Register(model, spec);
    }

    /// <summary>The trained network (images in [0, 1] -> logits).</summary>
    public ConvClassifier Model { get; }

    string IExplainSavable.Kind => SavedKind;

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

    /// <inheritdoc />
    public override void Dispose() => Model.Dispose();

    private sealed record Saved(ClassifierSpec Spec, string[]? ClassNames, string FeatureColumnName, string ScoreColumnName, string PredictedLabelColumnName, int ScoringBatchSize);
}
