using MLNetExplain.Data;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Training.Explainer;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training;

/// <summary>
/// Image classifier trainers on <c>context.MulticlassClassification.Trainers</c>, each with a flat overload and an
/// Options overload (ML.NET's ImageClassification trainer shape). Features are [C, H, W] Single vectors in [0, 1].
/// </summary>
public static class TrainersCatalog
{
    /// <summary>Standard cross-entropy training.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", ClassifierSpec? model = null, int epochs = 10,
        int batchSize = 128, double learningRate = 0.1) =>
        catalog.ImageClassification(Fill(new ImageClassificationTrainer.Options(), labelColumnName, featureColumnName, model,
            epochs, batchSize, learningRate));

    /// <summary>Standard cross-entropy training, from options.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationTrainers catalog,
        ImageClassificationTrainer.Options options) => new(catalog.Context, options);

    /// <summary>PGD adversarial training with the given threat model and budget (step size 2.5 * eps / steps).</summary>
    public static AdversarialImageClassificationTrainer AdversarialImageClassification(this MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", ThreatModel threatModel = ThreatModel.L2,
        double epsilon = 1.5, int attackSteps = 7, ClassifierSpec? model = null, int epochs = 10, int batchSize = 128,
        double learningRate = 0.1)
    {
        var options = Fill(new AdversarialImageClassificationTrainer.Options(), labelColumnName, featureColumnName, model, epochs, batchSize,
            learningRate);
        options.Attack = options.Attack with { ThreatModel = threatModel, Epsilon = epsilon, Steps = attackSteps };
        return catalog.AdversarialImageClassification(options);
    }

    /// <summary>PGD adversarial training, from options.</summary>
    public static AdversarialImageClassificationTrainer AdversarialImageClassification(this MulticlassClassificationTrainers catalog,
        AdversarialImageClassificationTrainer.Options options) => new(catalog.Context, options);

    /// <summary>Local gradient alignment training (seed 004) with RobustAGA's defaults.</summary>
    public static GradientAlignedImageClassificationTrainer GradientAlignedImageClassification(this MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", double lambdaL2 = 1.0, double lambdaCos = 1.0,
        double epsilon = 4.0 / 255, ClassifierSpec? model = null, int epochs = 10, int batchSize = 128)
    {
        var options = new GradientAlignedImageClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, LambdaL2 = lambdaL2, LambdaCos = lambdaCos,
            Epsilon = epsilon, Model = model, Epochs = epochs, BatchSize = batchSize,
        };
        return catalog.GradientAlignedImageClassification(options);
    }

    /// <summary>Local gradient alignment training, from options.</summary>
    public static GradientAlignedImageClassificationTrainer GradientAlignedImageClassification(this MulticlassClassificationTrainers catalog,
        GradientAlignedImageClassificationTrainer.Options options) => new(catalog.Context, options);

    /// <summary>
    /// Seed 001's explainer alignment: trains a classifier with an explainer head aligned (lambda 0.35) to robust
    /// attributions precomputed in <paramref name="robustAttributionColumnName"/>.
    /// </summary>
    public static ExplainerAlignmentTrainer ExplainerAlignment(this MulticlassClassificationTrainers catalog, string labelColumnName = "Label",
        string featureColumnName = "Features", string robustAttributionColumnName = "RobustAttribution", double lambda = 0.35,
        ClassifierSpec? model = null, int epochs = 30, int batchSize = 256) =>
        catalog.ExplainerAlignment(new ExplainerAlignmentTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, RobustAttributionColumnName = robustAttributionColumnName,
            Lambda = lambda, Model = model, Epochs = epochs, BatchSize = batchSize,
        });

    /// <summary>Seed 001's explainer alignment, from options (on-the-fly targets, post-hoc mode, distances).</summary>
    public static ExplainerAlignmentTrainer ExplainerAlignment(this MulticlassClassificationTrainers catalog, ExplainerAlignmentTrainer.Options options) =>
        new(catalog.Context, options);

    private static T Fill<T>(T options, string label, string features, ClassifierSpec? model, int epochs, int batchSize, double learningRate)
        where T : ImageClassificationTrainer.Options
    {
        options.LabelColumnName = label;
        options.FeatureColumnName = features;
        options.Model = model;
        options.Epochs = epochs;
        options.BatchSize = batchSize;
        options.LearningRate = learningRate;
        return options;
    }
}
