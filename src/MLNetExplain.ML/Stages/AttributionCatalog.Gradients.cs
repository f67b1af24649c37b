using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>The gradient family: Input x Gradient, Integrated Gradients, NoiseTunnel and GradientSHAP (Captum's conventions).</summary>
public static partial class AttributionCatalog
{
    /// <summary>Input x Gradient (Captum's <c>InputXGradient</c>): x times the gradient of the explained logit, signed.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    public static AttributionEstimator InputXGradient(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "InputXGradient", string inputColumnName = "Features", string? targetColumnName = null) =>
        catalog.InputXGradient(model, new InputXGradientAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
        });

    /// <summary>Input x Gradient, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, post-processing, batch size and device.</param>
    public static AttributionEstimator InputXGradient(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, InputXGradientAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AttributionEstimator(model, AttributionMethodRecipe.For("InputXGradient", new { }), null, options);
    }

    /// <summary>
    /// Integrated Gradients (Sundararajan et al. 2017) against the constant image <paramref name="baselineValue"/>,
    /// with Captum's defaults: 50 Gauss-Legendre steps, multiplied by (x - x').
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="steps">Points on the path (Captum's <c>n_steps</c>).</param>
    /// <param name="rule">The quadrature (Captum's <c>method</c>).</param>
    /// <param name="baselineValue">The baseline pixel value x'.</param>
    public static AttributionEstimator IntegratedGradients(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "IntegratedGradients", string inputColumnName = "Features", string? targetColumnName = null,
        int steps = 50, IntegrationRule rule = IntegrationRule.GaussLegendre, double baselineValue = 0) =>
        catalog.IntegratedGradients(model, new IntegratedGradientsAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            IntegratedGradients = new IntegratedGradientsOptions { Steps = steps, Rule = rule, BaselineValue = baselineValue },
        });

    /// <summary>Integrated Gradients, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings, post-processing, batch size and device.</param>
    /// <exception cref="ArgumentException">A method setting is out of range.</exception>
    public static AttributionEstimator IntegratedGradients(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, IntegratedGradientsAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.IntegratedGradients.Validate();
        return new AttributionEstimator(model, AttributionMethodRecipe.For("IntegratedGradients", options.IntegratedGradients), null, options);
    }

    /// <summary>
    /// NoiseTunnel (Captum's): <paramref name="innerMethod"/> applied to <paramref name="samples"/> noisy copies of
    /// each image (sigma = <paramref name="noiseLevel"/> x (max - min) per image) and combined by <paramref name="type"/>.
    /// Saliency inside takes |gradient| per sample, as Captum's.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="innerMethod">The method per sample: "Saliency", "InputXGradient", "IntegratedGradients" (defaults) or another registered kind.</param>
    /// <param name="type">SmoothGrad (mean), SmoothGradSquared or VarGrad.</param>
    /// <param name="samples">Noisy samples per image (Captum's <c>nt_samples</c>).</param>
    /// <param name="noiseLevel">Noise sigma relative to each image's value range.</param>
    /// <param name="seed">Seed of the noise; each cursor starts from it.</param>
    public static AttributionEstimator NoiseTunnel(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "NoiseTunnel", string inputColumnName = "Features", string? targetColumnName = null,
        string innerMethod = "Saliency", NoiseTunnelType type = NoiseTunnelType.SmoothGrad, int samples = 5, double noiseLevel = 0.15, int seed = 0) =>
        catalog.NoiseTunnel(model, new NoiseTunnelAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName, InnerMethod = innerMethod,
            NoiseTunnel = new NoiseTunnelOptions { Type = type, Samples = samples, NoiseLevel = noiseLevel, Seed = seed },
        });

    /// <summary>NoiseTunnel, from options (the inner method's own options in <see cref="NoiseTunnelAttributionOptions.InnerOptions"/>).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, tunnel and inner method settings, post-processing, batch size and device.</param>
    /// <exception cref="ArgumentException">A setting is out of range or the inner method is not a registered kind.</exception>
    public static AttributionEstimator NoiseTunnel(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, NoiseTunnelAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new AttributionEstimator(model, options.Recipe(), null, options);
    }

    /// <summary>
    /// GradientSHAP (Captum's <c>GradientShap</c>) against the all-zero image: the mean over <paramref name="samples"/>
    /// of (x~ - 0) times the gradient at a random point of the path, x~ = x + N(0, <paramref name="stdDev"/>^2).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="samples">Samples per image (Captum's <c>n_samples</c>).</param>
    /// <param name="stdDev">Input noise sigma in pixel units (Captum's <c>stdevs</c>).</param>
    /// <param name="seed">Seed of the draws; each cursor starts from it.</param>
    public static AttributionEstimator GradientShap(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "GradientShap", string inputColumnName = "Features", string? targetColumnName = null,
        int samples = 5, double stdDev = 0, int seed = 0) =>
        catalog.GradientShap(model, new GradientShapAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            GradientShap = new GradientShapOptions { Samples = samples, StdDev = stdDev, Seed = seed },
        });

    /// <summary>GradientSHAP, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings (seed included), post-processing, batch size and device.</param>
    /// <exception cref="ArgumentException">A method setting is out of range.</exception>
    public static AttributionEstimator GradientShap(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, GradientShapAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.GradientShap.Validate();
        return new AttributionEstimator(model, AttributionMethodRecipe.For("GradientShap", options.GradientShap), null, options);
    }
}
