using Microsoft.ML;
using MLNetExplain.Attacks;
using MLNetExplain.Models;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// MLNetExplain's image classification trainers on ML.NET's <c>mlContext.MulticlassClassification.Trainers</c>.
/// ML.NET gives third parties no access to the <c>MLContext</c> from a catalog, so seed, device and progress are
/// options of each trainer.
/// </summary>
public static class ImageClassificationCatalog
{
    /// <summary>Trains an image classifier on a key label column and an image column (pixels in [0, 1]).</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The <c>Vector&lt;Single, C, H, W&gt;</c> image column.</param>
    /// <param name="model">The network; null trains a small CNN sized for the data.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="learningRate">Peak learning rate (SGD with momentum, cosine schedule).</param>
    /// <param name="seed">Seed of the weights, the shuffling and every random draw.</param>
    /// <example><code>
    /// var pipeline = mlContext.MulticlassClassification.Trainers.ImageClassification(epochs: 5, seed: 1)
    ///     .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
    /// </code></example>
    public static ImageClassificationTrainer ImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", ClassifierSpec? model = null,
        int epochs = 10, double learningRate = 0.1, long seed = 0) =>
        catalog.ImageClassification(new ImageClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Model = model,
            Epochs = epochs, LearningRate = learningRate, Seed = seed,
        });

    /// <summary>Trains an image classifier with the given settings.</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static ImageClassificationTrainer ImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ImageClassificationTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageClassificationTrainer(options);
    }

    /// <summary>Adversarially trains a robust image classifier (PGD adversarial examples at every step).</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The <c>Vector&lt;Single, C, H, W&gt;</c> image column.</param>
    /// <param name="model">The network; null trains a small CNN sized for the data.</param>
    /// <param name="attack">The training attack; null uses PGD-7 L2 with eps 1.5 (seed 001).</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="seed">Seed of the weights, the shuffling and every random draw.</param>
    public static AdversarialImageClassificationTrainer AdversarialImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", ClassifierSpec? model = null,
        PgdAttackOptions? attack = null, int epochs = 10, long seed = 0)
    {
        var options = new AdversarialImageClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Model = model, Epochs = epochs, Seed = seed,
        };
        if (attack is not null)
        {
            options.Attack = attack;
        }

        return catalog.AdversarialImageClassification(options);
    }

    /// <summary>Adversarially trains a robust image classifier with the given settings.</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static AdversarialImageClassificationTrainer AdversarialImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, AdversarialImageClassificationTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AdversarialImageClassificationTrainer(options);
    }

    /// <summary>Trains an image classifier with local gradient alignment (seed 004).</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The <c>Vector&lt;Single, C, H, W&gt;</c> image column.</param>
    /// <param name="model">The network; null trains a small CNN sized for the data.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="seed">Seed of the weights, the shuffling and every random draw.</param>
    public static GradientAlignedImageClassificationTrainer GradientAlignedImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", ClassifierSpec? model = null,
        int epochs = 10, long seed = 0) =>
        catalog.GradientAlignedImageClassification(new GradientAlignedImageClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Model = model, Epochs = epochs, Seed = seed,
        });

    /// <summary>Trains an image classifier with local gradient alignment (seed 004) and the given settings.</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static GradientAlignedImageClassificationTrainer GradientAlignedImageClassification(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, GradientAlignedImageClassificationTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new GradientAlignedImageClassificationTrainer(options);
    }

    /// <summary>
    /// Trains a classifier together with an explainer head aligned to robust attributions (seed 001), read from
    /// <paramref name="robustAttributionColumnName"/> (e.g. appended by <c>mlContext.Transforms.RobustAttribution</c>).
    /// </summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="robustAttributionColumnName">The robust attribution column, <c>Vector&lt;Single, 1 or C, H, W&gt;</c>.</param>
    /// <param name="labelColumnName">The key label column.</param>
    /// <param name="featureColumnName">The <c>Vector&lt;Single, C, H, W&gt;</c> image column.</param>
    /// <param name="model">The architecture of the classifier; null trains a small CNN sized for the data.</param>
    /// <param name="lambda">Weight of the alignment distance (seed 001: 0.35).</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="seed">Seed of the weights, the shuffling and every random draw.</param>
    /// <example><code>
    /// var pipeline = mlContext.Transforms.RobustAttribution(robustModel, outputColumnName: "Robust")
    ///     .Append(mlContext.MulticlassClassification.Trainers.ExplainerAlignment("Robust", epochs: 10, seed: 1));
    /// </code></example>
    public static ExplainedImageClassificationTrainer ExplainerAlignment(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string robustAttributionColumnName,
        string labelColumnName = "Label", string featureColumnName = "Features", ClassifierSpec? model = null,
        double lambda = 0.35, int epochs = 10, long seed = 0) =>
        catalog.ExplainerAlignment(new ExplainedImageClassificationTrainer.Options
        {
            RobustAttributionColumnName = robustAttributionColumnName, LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName, Model = model, Lambda = lambda, Epochs = epochs, Seed = seed,
        });

    /// <summary>Trains a classifier with an aligned explainer head (seed 001) with the given settings.</summary>
    /// <param name="catalog">ML.NET's multiclass trainers catalog.</param>
    /// <param name="options">The settings.</param>
    public static ExplainedImageClassificationTrainer ExplainerAlignment(
        this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ExplainedImageClassificationTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ExplainedImageClassificationTrainer(options);
    }
}
