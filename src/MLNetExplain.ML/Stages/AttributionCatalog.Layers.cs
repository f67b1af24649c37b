using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

public static partial class AttributionCatalog
{
    /// <summary>
    /// Grad-CAM (Selvaraju et al. 2017, Captum's LayerGradCam): the layer's channels weighted by their mean
    /// gradient, summed, and upsampled to the image (nearest, as Captum's interpolate); a Single vector [1, H, W].
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [1, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="layer">The layer's <c>named_modules()</c> name (e.g. "layer4"); null takes a ConvClassifier's feature map.</param>
    /// <param name="reluAttributions">Apply ReLU to the map (Captum's default is false).</param>
    public static AttributionEstimator GradCam(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "GradCAM", string inputColumnName = "Features", string? targetColumnName = null,
        string? layer = null, bool reluAttributions = false) =>
        catalog.GradCam(model, new GradCamAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            GradCam = new GradCamOptions { Layer = layer, ReluAttributions = reluAttributions },
        });

    /// <summary>Grad-CAM, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings (layer, ReLU, upsampling), post-processing, batch size and device.</param>
    /// <exception cref="ArgumentException">The upsampling is None (the column is image-sized), or the layer is not found.</exception>
    public static AttributionEstimator GradCam(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, GradCamAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        if (options.GradCam.Upsample == GradCamUpsampling.None)
        {
            throw new ArgumentException("The GradCAM stage writes image-sized maps: set GradCam.Upsample to Nearest or Bilinear (use the GradCam class for layer-sized maps).", nameof(options));
        }

        // Created once here so a missing layer fails when the pipeline is built, naming the layers there are.
        _ = new GradCam(model, options.GradCam);
        return new AttributionEstimator(model, AttributionMethodRecipe.For("GradCAM", options.GradCam), null, options);
    }

    /// <summary>
    /// Guided Grad-CAM (Selvaraju et al. 2017, Captum's GuidedGradCam): Guided Backprop's map times the layer's Grad-CAM
    /// map (ReLU on, upsampled to the image); a Single vector [C, H, W]. The model needs ReLU modules (see GuidedBackprop).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="layer">The layer's <c>named_modules()</c> name; null takes a ConvClassifier's feature map.</param>
    public static AttributionEstimator GuidedGradCam(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "GuidedGradCAM", string inputColumnName = "Features", string? targetColumnName = null, string? layer = null) =>
        catalog.GuidedGradCam(model, new GuidedGradCamAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            GradCam = new GradCamOptions { Layer = layer },
        });

    /// <summary>Guided Grad-CAM, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, layer and upsampling, post-processing, batch size and device.</param>
    /// <exception cref="ArgumentException">The layer is not found, the upsampling is None, or the model has no ReLU modules.</exception>
    public static AttributionEstimator GuidedGradCam(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, GuidedGradCamAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        // Created once here so a missing layer fails when the pipeline is built.
        _ = new GuidedGradCam(model, options.GradCam);
        return new AttributionEstimator(model, AttributionMethodRecipe.For("GuidedGradCAM", options.GradCam), null, options);
    }
}
