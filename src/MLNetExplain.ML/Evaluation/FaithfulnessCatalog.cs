using Microsoft.ML;
using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using MLNetExplain.Evaluation;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Evaluation;

/// <summary>
/// Faithfulness and robustness metrics of explanations as ML.NET evaluations, next to
/// <c>mlContext.MulticlassClassification.Evaluate</c>: each reads an image column (and an attribution column
/// produced by an attribution stage, and a key label column where the metric needs one) from an
/// <see cref="IDataView"/> and returns the tensor API's result object (<see cref="MLNetExplain.Evaluation"/>).
/// </summary>
/// <remarks>
/// Images are read as float32 <c>Vector&lt;Single, C, H, W&gt;</c> and moved to the model's device; attribution
/// columns may have the image's channels or one ([1, H, W], e.g. a stage with a channel reduction). Labels are key
/// columns (MapValueToKey) and are 0-based class indices inside the metrics.
/// </remarks>
public static class FaithfulnessCatalog
{
    private const string Stage = "FaithfulnessEvaluation";

    /// <summary>RISE deletion or insertion curve and its area (<see cref="DeletionCurve"/>) of an attribution column.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="model">The classifier (logits [N, K]).</param>
    /// <param name="data">Rows with the image and attribution columns.</param>
    /// <param name="attributionColumnName">The maps ([C, H, W] or [1, H, W]).</param>
    /// <param name="featureColumnName">The images.</param>
    /// <param name="options">Steps, deletion/insertion and substrate; null takes the defaults.</param>
    public static DeletionCurveResult EvaluateDeletion(this MulticlassClassificationCatalog catalog, nn.Module<Tensor, Tensor> model, IDataView data,
        string attributionColumnName = "Attribution", string featureColumnName = "Features", DeletionCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var (images, maps, _) = EvaluationData.Read(data, featureColumnName, attributionColumnName, null, Stage);
        return DeletionCurve.Compute(model, images.to(ModuleDevice.Of(model)), maps!, options);
    }

    /// <summary>MoRF/LeRF region perturbation and AOPC (<see cref="RegionPerturbation"/>) of an attribution column.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="model">The classifier (logits [N, K]).</param>
    /// <param name="data">Rows with the image and attribution columns (and the label column when given).</param>
    /// <param name="attributionColumnName">The maps.</param>
    /// <param name="featureColumnName">The images.</param>
    /// <param name="labelColumnName">A key column whose class is scored (Quantus scores the labels); null scores the predicted class.</param>
    /// <param name="options">Patch size, order, regions; null takes the defaults.</param>
    public static RegionPerturbationResult EvaluateRegionPerturbation(this MulticlassClassificationCatalog catalog, nn.Module<Tensor, Tensor> model,
        IDataView data, string attributionColumnName = "Attribution", string featureColumnName = "Features", string? labelColumnName = null,
        RegionPerturbationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var (images, maps, labels) = EvaluationData.Read(data, featureColumnName, attributionColumnName, labelColumnName, Stage);
        var device = ModuleDevice.Of(model);
        return RegionPerturbation.Compute(model, images.to(device), maps!, labels?.to(device), options);
    }

    /// <summary>
    /// ROAR and KAR (<see cref="RoarEvaluator"/>) of precomputed attribution columns: each column is one ranking,
    /// named after the column, for the train and the test view alike; a random ranking is added as the baseline.
    /// </summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="trainData">Training rows: images, labels and every attribution column.</param>
    /// <param name="testData">Test rows with the same columns.</param>
    /// <param name="trainer">Retrains a fresh model per cell (e.g. <see cref="SpecRoarTrainer"/>).</param>
    /// <param name="attributionColumnNames">The rankings' columns.</param>
    /// <param name="featureColumnName">The images.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="randomSeed">Seed of the random baseline; null leaves it out.</param>
    /// <param name="options">Ratios, modes, seeds, ranking; null takes the defaults.</param>
    /// <param name="store">Finished cells to skip and where new ones go (resumable runs); null keeps them in memory.</param>
    /// <param name="progress">Receives a report after every cell.</param>
    /// <param name="cancellationToken">Stops between cells and during training.</param>
    public static RoarResult EvaluateRoar(this MulticlassClassificationCatalog catalog, IDataView trainData, IDataView testData, IRoarTrainer trainer,
        IReadOnlyList<string> attributionColumnNames, string featureColumnName = "Features", string labelColumnName = "Label", long? randomSeed = 0,
        RoarOptions? options = null, IRoarCellStore? store = null, IProgress<RoarProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(attributionColumnNames);
        var evaluator = new RoarEvaluator(trainer, options);
        using var scope = NewDisposeScope();
        var (trainImages, _, trainLabels) = EvaluationData.Read(trainData, featureColumnName, null, labelColumnName, Stage, cancellationToken);
        var (testImages, _, testLabels) = EvaluationData.Read(testData, featureColumnName, null, labelColumnName, Stage, cancellationToken);
        var rankings = new List<RoarAttributions>();
        foreach (var column in attributionColumnNames)
        {
            var (_, trainMaps, _) = EvaluationData.Read(trainData, featureColumnName, column, null, Stage, cancellationToken);
            var (_, testMaps, _) = EvaluationData.Read(testData, featureColumnName, column, null, Stage, cancellationToken);
            rankings.Add(RoarAttributions.Precomputed(column, trainMaps!, testMaps!));
        }

        if (randomSeed is { } seed)
        {
            rankings.Add(RoarAttributions.Random(seed));
        }

        return evaluator.Evaluate(new RoarDataset(trainImages, trainLabels!, testImages, testLabels!), rankings, store, progress, cancellationToken);
    }

    /// <summary>Max-sensitivity (<see cref="MaxSensitivity"/>) of an attribution method on the images of a data view.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="model">The classifier.</param>
    /// <param name="method">The explanation under test, over <paramref name="model"/>.</param>
    /// <param name="data">Rows with the image column (and the label column when given).</param>
    /// <param name="featureColumnName">The images.</param>
    /// <param name="labelColumnName">A key column whose class is explained (Quantus explains the labels); null explains the predicted class.</param>
    /// <param name="options">Samples, radius, seed; null takes the defaults.</param>
    public static MaxSensitivityResult EvaluateMaxSensitivity(this MulticlassClassificationCatalog catalog, nn.Module<Tensor, Tensor> model,
        IAttributionMethod method, IDataView data, string featureColumnName = "Features", string? labelColumnName = null, MaxSensitivityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var (images, targets) = ImagesAndTargets(model, data, featureColumnName, labelColumnName);
        return MaxSensitivity.Compute(model, method, images, targets, options);
    }

    /// <summary>MPRT (<see cref="ModelRandomization"/>) of an attribution method on the images of a data view.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="model">The trained classifier; randomised during the call and restored after.</param>
    /// <param name="method">The explanation under test, over <paramref name="model"/>.</param>
    /// <param name="data">Rows with the image column (and the label column when given).</param>
    /// <param name="featureColumnName">The images.</param>
    /// <param name="labelColumnName">A key column whose class is explained; null explains the predicted class.</param>
    /// <param name="options">Order, seed, similarity settings; null takes the defaults.</param>
    /// <param name="cancellationToken">Checked before each layer.</param>
    public static ModelRandomizationResult EvaluateModelRandomization(this MulticlassClassificationCatalog catalog, nn.Module<Tensor, Tensor> model,
        IAttributionMethod method, IDataView data, string featureColumnName = "Features", string? labelColumnName = null,
        ModelRandomizationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var (images, targets) = ImagesAndTargets(model, data, featureColumnName, labelColumnName);
        return ModelRandomization.Compute(model, method, images, targets, options, cancellationToken);
    }

    /// <summary>Completeness error (<see cref="CompletenessError"/>) of a baseline method on the images of a data view.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="model">The classifier.</param>
    /// <param name="method">IG, DeepLift, GradientShap, over <paramref name="model"/>.</param>
    /// <param name="data">Rows with the image column (and the label column when given).</param>
    /// <param name="featureColumnName">The images.</param>
    /// <param name="labelColumnName">A key column whose class is explained; null explains the predicted class.</param>
    /// <param name="baselines">Baselines broadcastable to [N, C, H, W]; null for zeros.</param>
    public static CompletenessResult EvaluateCompleteness(this MulticlassClassificationCatalog catalog, nn.Module<Tensor, Tensor> model,
        IBaselineAttributionMethod method, IDataView data, string featureColumnName = "Features", string? labelColumnName = null, Tensor? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var (images, targets) = ImagesAndTargets(model, data, featureColumnName, labelColumnName);
        return CompletenessError.Compute(model, method, images, targets, baselines?.to(images.device));
    }

    private static (Tensor Images, Tensor Targets) ImagesAndTargets(nn.Module<Tensor, Tensor> model, IDataView data, string featureColumnName, string? labelColumnName)
    {
        var (images, _, labels) = EvaluationData.Read(data, featureColumnName, null, labelColumnName, Stage);
        images = images.to(ModuleDevice.Of(model));
        return (images, labels?.to(images.device) ?? AttributionTargets.Predicted(model, images));
    }
}
