using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>The modified-backward family: Guided Backprop, Deconvolution and DeepLift (Captum's conventions, with an exact DeepLift max-pool rule).</summary>
public static partial class AttributionCatalog
{
    /// <summary>
    /// Guided Backprop (Springenberg et al. 2015): the input-gradient with every ReLU passing back only positive
    /// gradients where its input was positive. The model must compute its ReLUs with one <c>nn.ReLU</c> module per
    /// call site.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    public static AttributionEstimator GuidedBackprop(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "GuidedBackprop", string inputColumnName = "Features", string? targetColumnName = null) =>
        catalog.GuidedBackprop(model, new GuidedBackpropAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
        });

    /// <summary>Guided Backprop, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, post-processing, batch size and device.</param>
    public static AttributionEstimator GuidedBackprop(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, GuidedBackpropAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AttributionEstimator(model, new AttributionMethodRecipe("GuidedBackprop", "{}"), null, options);
    }

    /// <summary>
    /// Deconvolution (Zeiler and Fergus 2014): the input-gradient with every ReLU passing back relu(incoming gradient),
    /// ignoring the forward pass's mask. The model must compute its ReLUs with one <c>nn.ReLU</c> module per call site.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    public static AttributionEstimator Deconvolution(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "Deconvolution", string inputColumnName = "Features", string? targetColumnName = null) =>
        catalog.Deconvolution(model, new DeconvolutionAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
        });

    /// <summary>Deconvolution, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, post-processing, batch size and device.</param>
    public static AttributionEstimator Deconvolution(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, DeconvolutionAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AttributionEstimator(model, new AttributionMethodRecipe("Deconvolution", "{}"), null, options);
    }

    /// <summary>
    /// DeepLift with the Rescale rule (Shrikumar et al. 2017; Captum's defaults): attributions (x - x') * multipliers
    /// against a constant baseline image x', summing to F(x) - F(x'). The model must compute its activations and
    /// max-pools with one module per call site.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="baselineValue">The value of every pixel of the baseline image (Captum: 0).</param>
    /// <param name="multiplyByInputs">Multiply by (x - x') (Captum's default); false writes the multipliers.</param>
    public static AttributionEstimator DeepLift(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "DeepLift", string inputColumnName = "Features", string? targetColumnName = null,
        double baselineValue = 0, bool multiplyByInputs = true) =>
        catalog.DeepLift(model, new DeepLiftAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            DeepLift = new DeepLiftOptions { BaselineValue = baselineValue, MultiplyByInputs = multiplyByInputs },
        });

    /// <summary>DeepLift, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings (baseline value included), post-processing, batch size and device.</param>
    public static AttributionEstimator DeepLift(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, DeepLiftAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.DeepLift.Validate();
        return new AttributionEstimator(model, AttributionMethodRecipe.For("DeepLift", options.DeepLift), null, options);
    }
}
