using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>The perturbation family: Occlusion, FeatureAblation, Lime and KernelShap (Captum's conventions, forward passes only).</summary>
public static partial class AttributionCatalog
{
    /// <summary>
    /// Occlusion (Zeiler and Fergus 2014, Captum's <c>Occlusion</c>): a window of all channels and
    /// <paramref name="windowSize"/> x <paramref name="windowSize"/> pixels slides over each image by
    /// <paramref name="stride"/>; each pixel gets the mean drop of the target logit over the windows covering it.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="windowSize">Side of the square window in pixels.</param>
    /// <param name="stride">Step of the window in pixels (Captum's default 1; seed 001's timing used window 4, stride 2).</param>
    /// <param name="baselineValue">The value occluded pixels take.</param>
    public static AttributionEstimator Occlusion(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "Occlusion", string inputColumnName = "Features", string? targetColumnName = null,
        int windowSize = 4, int stride = 1, double baselineValue = 0) =>
        catalog.Occlusion(model, new OcclusionAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            Occlusion = new OcclusionOptions { WindowSize = windowSize, Strides = [stride], BaselineValue = baselineValue },
        });

    /// <summary>Occlusion, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings, post-processing, batch size and device.</param>
    public static AttributionEstimator Occlusion(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, OcclusionAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AttributionEstimator(model, AttributionMethodRecipe.For("Occlusion", options.Occlusion), null, options);
    }

    /// <summary>
    /// Feature ablation (Captum's <c>FeatureAblation</c>): each square superpixel of
    /// <paramref name="superpixelSize"/> pixels (all channels) is set to <paramref name="baselineValue"/> in turn,
    /// and its pixels get the drop of the target logit.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="superpixelSize">Side of the ablated squares; null ablates every element alone (Captum's default, one forward pass per element).</param>
    /// <param name="baselineValue">The value ablated pixels take.</param>
    public static AttributionEstimator FeatureAblation(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "FeatureAblation", string inputColumnName = "Features", string? targetColumnName = null,
        int? superpixelSize = 4, double baselineValue = 0) =>
        catalog.FeatureAblation(model, new FeatureAblationAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            FeatureAblation = new FeatureAblationOptions { SuperpixelSize = superpixelSize, BaselineValue = baselineValue },
        });

    /// <summary>Feature ablation, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings, post-processing, batch size and device.</param>
    public static AttributionEstimator FeatureAblation(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, FeatureAblationAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AttributionEstimator(model, AttributionMethodRecipe.For("FeatureAblation", options.FeatureAblation), null, options);
    }

    /// <summary>
    /// LIME (Ribeiro et al. 2016, Captum's <c>Lime</c>): square superpixels switched on and off at random,
    /// <paramref name="samples"/> times; a Lasso surrogate weighted by similarity gives each superpixel's coefficient.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="samples">Perturbed samples per image (Captum: 25).</param>
    /// <param name="superpixelSize">Side of the superpixels (the interpretable features).</param>
    /// <param name="seed">Seed of the draws; every batch starts from it.</param>
    public static AttributionEstimator Lime(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "Lime", string inputColumnName = "Features", string? targetColumnName = null,
        int samples = 25, int superpixelSize = 4, int seed = 0) =>
        catalog.Lime(model, new LimeAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            Lime = new LimeOptions { Samples = samples, SuperpixelSize = superpixelSize, Seed = seed },
        });

    /// <summary>LIME, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings (seed included), post-processing, batch size and device.</param>
    public static AttributionEstimator Lime(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, LimeAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AttributionEstimator(model, AttributionMethodRecipe.For("Lime", options.Lime), null, options);
    }

    /// <summary>
    /// Kernel SHAP (Lundberg and Lee 2017, Captum's <c>KernelShap</c>): Shapley values of square superpixels from a
    /// weighted regression on <paramref name="samples"/> coalitions drawn with the Shapley kernel.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="samples">Coalitions per image, the all-present and all-absent ones included (Captum: 25).</param>
    /// <param name="superpixelSize">Side of the superpixels (the players).</param>
    /// <param name="seed">Seed of the draws; every batch starts from it.</param>
    public static AttributionEstimator KernelShap(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "KernelShap", string inputColumnName = "Features", string? targetColumnName = null,
        int samples = 25, int superpixelSize = 4, int seed = 0) =>
        catalog.KernelShap(model, new KernelShapAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            KernelShap = new KernelShapOptions { Samples = samples, SuperpixelSize = superpixelSize, Seed = seed },
        });

    /// <summary>Kernel SHAP, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings (seed included), post-processing, batch size and device.</param>
    public static AttributionEstimator KernelShap(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, KernelShapAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AttributionEstimator(model, AttributionMethodRecipe.For("KernelShap", options.KernelShap), null, options);
    }
}
