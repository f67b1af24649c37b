using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Engine;
using MLNetExplain.Explainer;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// A classifier that explains itself (seed 001): one forward pass per batch appends <c>Score</c>,
/// <c>PredictedLabel</c> and the explainer head's heatmap (<c>Explanation</c>, <c>Vector&lt;Single, 1, H, W&gt;</c>, or
/// C planes for a head trained on per-channel targets).
/// Fitted by <c>mlContext.MulticlassClassification.Trainers.ExplainerAlignment(...)</c>; save pipelines holding it
/// with <see cref="ExplainerModelOperations.SaveWithExplainers"/>.
/// </summary>
public sealed class ExplainedImageClassificationTransformer : ImageScoringTransformer, IExplainSavable
{
    internal const string SavedKind = "ExplainedImageClassification";

    internal ExplainedImageClassificationTransformer(ExplainedClassifier model, ClassifierSpec spec, string[]? classNames, ExplainedImageClassificationTrainer.Options options)
        : base("ExplainedImageClassification", spec, classNames, options, [MapColumn(options.ExplanationColumnName, model.Explainer.Spec)],
            () => new TensorBatchFunction((images, _) => Score(model, images)))
    {
        Model = model;
        ExplanationColumnName = options.ExplanationColumnName;
        Model.eval();
        // Stages given this network or its backbone (e.g. Saliency) can then be saved with it.
        ModelArchitectures.Register(model.Classifier, spec);
    }

    /// <summary>The classifier f and its explainer head E.</summary>
    public ExplainedClassifier Model { get; }

    /// <summary>The heatmap column appended.</summary>
    public string ExplanationColumnName { get; }

    string IExplainSavable.Kind => SavedKind;

    void IExplainSavable.CheckSavable()
    {
    }

    void IExplainSavable.Save(ExplainStageWriter writer)
    {
        writer.WriteSettings(new Saved(Spec, ExplainerHead.Layout, Model.Explainer.Spec, ClassNames?.ToArray(), FeatureColumnName, ScoreColumnName,
            PredictedLabelColumnName, ExplanationColumnName, ScoringBatchSize));
        writer.WriteModule("model", Model);
    }

    internal static ExplainedImageClassificationTransformer Load(ExplainStageReader reader)
    {
        var saved = reader.ReadSettings<Saved>();
        // Weight shapes cannot tell head layouts apart, so the layout is recorded and checked.
        if (saved.HeadLayout != ExplainerHead.Layout)
        {
            throw new InvalidDataException($"Model file '{reader.Path}': the explainer head has layer layout {saved.HeadLayout}; this version reads layout {ExplainerHead.Layout}. Retrain the explainer.");
        }

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

    /// <inheritdoc />
    public override void Dispose() => Model.Dispose();

    private static TensorOutputColumn MapColumn(string name, ExplainerHeadSpec head) =>
        new(name, _ => [head.OutputChannels, head.InputHeight, head.InputWidth]);

    private static Tensor[] Score(ExplainedClassifier model, Tensor images)
    {
        var (probabilities, predicted, maps) = model.Explain(images.to(ModuleDevice.Of(model)));
        return [probabilities.cpu(), predicted.to_type(ScalarType.Float32).cpu(), maps.cpu()];
    }

    private sealed record Saved(ClassifierSpec Spec, int HeadLayout, ExplainerHeadSpec Head, string[]? ClassNames, string FeatureColumnName, string ScoreColumnName,
        string PredictedLabelColumnName, string ExplanationColumnName, int ScoringBatchSize);
}
