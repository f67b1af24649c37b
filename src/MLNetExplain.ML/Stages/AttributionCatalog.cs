using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Attribution stages on <c>mlContext.Transforms</c>: each appends a heatmap column explaining a trained TorchSharp
/// classifier, the image analogue of ML.NET's CalculateFeatureContribution. Each has a flat overload and an
/// Options overload.
/// </summary>
/// <remarks>
/// ML.NET gives extension methods on its catalogs no access to the <c>MLContext</c> (its environment is internal),
/// so the seed, the device and progress reporting travel in the options rather than coming from the context.
/// </remarks>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.LoadImages("Image", imageFolder, "Path")
///     .Append(mlContext.Transforms.ResizeImages("Image", 28, 28))
///     .Append(mlContext.Transforms.ConvertToGrayscale("Image"))
///     .Append(mlContext.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f,
///         colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))   // one plane of the grey image
///     .Append(mlContext.Transforms.Saliency(model));
/// var maps = pipeline.Fit(data).Transform(data).GetColumn&lt;float[]&gt;("Saliency");
/// </code>
/// </example>
public static partial class AttributionCatalog
{
    /// <summary>
    /// Vanilla gradient saliency (Simonyan et al. 2013), absolute by default (Captum's convention), for the
    /// predicted class or the class in <paramref name="targetColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="absolute">Absolute gradients.</param>
    public static AttributionEstimator Saliency(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "Saliency", string inputColumnName = "Features", string? targetColumnName = null, bool absolute = true) =>
        catalog.Saliency(model, new SaliencyAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName, Absolute = absolute,
        });

    /// <summary>Vanilla gradient saliency, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, post-processing, batch size and device.</param>
    public static AttributionEstimator Saliency(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, SaliencyAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AttributionEstimator(model, AttributionMethodRecipe.ForSaliency, null, options);
    }

    /// <summary>
    /// SmoothGrad (Smilkov et al. 2017): the mean saliency over <paramref name="samples"/> noisy copies with noise
    /// sigma = <paramref name="noiseLevel"/> x (max - min) per image, absolute gradients per sample.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="samples">Noisy samples per image.</param>
    /// <param name="noiseLevel">Noise sigma relative to each image's value range.</param>
    /// <param name="seed">Seed of the noise; each cursor starts from it.</param>
    public static AttributionEstimator SmoothGrad(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "SmoothGrad", string inputColumnName = "Features", string? targetColumnName = null,
        int samples = 50, double noiseLevel = 0.15, int seed = 0) =>
        catalog.SmoothGrad(model, new SmoothGradAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            SmoothGrad = new SmoothGradOptions { Samples = samples, NoiseLevel = noiseLevel, Seed = seed },
        });

    /// <summary>SmoothGrad, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings (seed included), post-processing, batch size and device.</param>
    public static AttributionEstimator SmoothGrad(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, SmoothGradAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AttributionEstimator(model, AttributionMethodRecipe.ForSmoothGrad(options.SmoothGrad), null, options);
    }

    /// <summary>
    /// Seed 001's robust attribution g(f', x): SmoothGrad (noise level 0.15, absolute gradients per sample) of the
    /// adversarially robust counterpart f' for the true class in <paramref name="labelColumnName"/>, summed over
    /// channels and scaled to a largest value of 1 per image: a Single vector [1, H, W].
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="robustModel">The robust classifier f'.</param>
    /// <param name="outputColumnName">The map column written, Single vector [1, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="labelColumnName">The key column of true classes; null explains the predicted class.</param>
    /// <param name="samples">Noisy samples per image (seed 001: 50).</param>
    /// <param name="seed">Seed of the noise; each cursor starts from it.</param>
    public static AttributionEstimator RobustAttribution(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> robustModel,
        string outputColumnName = "RobustAttribution", string inputColumnName = "Features", string? labelColumnName = "Label",
        int samples = 50, int seed = 0) =>
        catalog.RobustAttribution(robustModel, new RobustAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = labelColumnName,
            SmoothGrad = new SmoothGradOptions { Samples = samples, Seed = seed },
        });

    /// <summary>Seed 001's robust attribution, from options (start from the defaults and change one setting).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="robustModel">The robust classifier f'.</param>
    /// <param name="options">Columns, method settings (seed included), post-processing, batch size and device.</param>
    public static AttributionEstimator RobustAttribution(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> robustModel, RobustAttributionOptions options) =>
        catalog.SmoothGrad(robustModel, options);

    /// <summary>
    /// Any attribution method, e.g. one of your own: <paramref name="method"/> explains <paramref name="model"/>'s
    /// predicted class (computed with <paramref name="model"/>) or the class in <paramref name="targetColumnName"/>.
    /// The method instance is shared by all cursors; a stage built this way cannot be saved.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="method">The method, wrapping <paramref name="model"/>.</param>
    /// <param name="model">The explained classifier returning logits [N, K].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    public static AttributionEstimator Attribution(this TransformsCatalog catalog, IAttributionMethod method, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "Attribution", string inputColumnName = "Features", string? targetColumnName = null) =>
        catalog.Attribution(method, model, new AttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
        });

    /// <summary>Any attribution method, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="method">The method, wrapping <paramref name="model"/>.</param>
    /// <param name="model">The explained classifier returning logits [N, K].</param>
    /// <param name="options">Columns, post-processing, batch size and device.</param>
    public static AttributionEstimator Attribution(this TransformsCatalog catalog, IAttributionMethod method, nn.Module<Tensor, Tensor> model, AttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(method);
        return new AttributionEstimator(model, null, method, options);
    }
}
