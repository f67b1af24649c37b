using MLNetExplain.Attribution.Methods;
using MLNetExplain.Attribution.Transforms;
using MLNetExplain.Data;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Attribution;

/// <summary>
/// Attribution stages on <c>context.Transforms</c>, each with a flat overload and an Options overload. They append
/// a heatmap column for a trained classifier, the analogue of ML.NET's CalculateFeatureContribution.
/// </summary>
public static class AttributionCatalog
{
    /// <summary>
    /// Vanilla gradient saliency (absolute by default, Captum's convention) for the predicted class, or for the class
    /// in <paramref name="targetColumnName"/>.
    /// </summary>
    public static GradientAttributionEstimator Saliency(this TransformsCatalog catalog, ITrainedClassifier classifier,
        string outputColumnName = "Saliency", string featureColumnName = "Features", string? targetColumnName = null,
        bool absolute = true) =>
        catalog.Saliency(classifier, new GradientAttributionTransformer.Options
        {
            OutputColumnName = outputColumnName, FeatureColumnName = featureColumnName, TargetColumnName = targetColumnName,
            Absolute = absolute,
        });

    /// <summary>Vanilla gradient saliency, from options.</summary>
    public static GradientAttributionEstimator Saliency(this TransformsCatalog catalog, ITrainedClassifier classifier,
        GradientAttributionTransformer.Options options) => new(classifier, options with { Method = GradientMethod.Saliency });

    /// <summary>SmoothGrad of saliency with <paramref name="samples"/> noisy copies at a relative noise level.</summary>
    public static GradientAttributionEstimator SmoothGrad(this TransformsCatalog catalog, ITrainedClassifier classifier,
        string outputColumnName = "SmoothGrad", string featureColumnName = "Features", string? targetColumnName = null,
        int samples = 50, double noiseLevel = 0.15, int? seed = null) =>
        catalog.SmoothGrad(classifier, new GradientAttributionTransformer.Options
        {
            OutputColumnName = outputColumnName, FeatureColumnName = featureColumnName, TargetColumnName = targetColumnName,
            SmoothGrad = new SmoothGradOptions { Samples = samples, NoiseLevel = noiseLevel }, Seed = seed ?? catalog.Context.NextSeed(),
        });

    /// <summary>SmoothGrad of saliency, from options.</summary>
    public static GradientAttributionEstimator SmoothGrad(this TransformsCatalog catalog, ITrainedClassifier classifier,
        GradientAttributionTransformer.Options options) => new(classifier, options with { Method = GradientMethod.SmoothGrad });

    /// <summary>
    /// Seed 001's robust attribution g(f', x): SmoothGrad (50 samples, noise level 0.15, absolute gradients) of the
    /// adversarially robust counterpart f' for the true class in <paramref name="labelColumnName"/>, summed over
    /// channels and scaled to a maximum of 1 per image, written to <paramref name="outputColumnName"/>.
    /// </summary>
    public static GradientAttributionEstimator RobustAttribution(this TransformsCatalog catalog, ITrainedClassifier robustModel,
        string outputColumnName = "RobustAttribution", string featureColumnName = "Features", string? labelColumnName = "Label",
        int samples = 50, int? seed = null) =>
        catalog.SmoothGrad(robustModel, RobustAttributionOptions(outputColumnName, featureColumnName, labelColumnName, samples,
            seed ?? catalog.Context.NextSeed()));

    /// <summary>The options <see cref="RobustAttribution"/> uses; start from them to change one setting.</summary>
    public static GradientAttributionTransformer.Options RobustAttributionOptions(string outputColumnName = "RobustAttribution",
        string featureColumnName = "Features", string? labelColumnName = "Label", int samples = 50, int seed = 0) => new()
        {
            OutputColumnName = outputColumnName, FeatureColumnName = featureColumnName, TargetColumnName = labelColumnName,
            Method = GradientMethod.SmoothGrad, SmoothGrad = new SmoothGradOptions { Samples = samples },
            Reduction = ChannelReduction.Sum, Normalization = AttributionNormalization.MaxAbs, Seed = seed,
        };
}
