using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>Learned propagation rules (Yang et al. 2020, seed 002): a per-image optimised ReLU backward rule.</summary>
public static partial class AttributionCatalog
{
    /// <summary>
    /// Learned propagation rules (Yang et al. 2020, seed 002): per image, every ReLU's backward rule gets learnable
    /// parameters, optimised with Adam so that masks made from the Input x Gradient map keep (positive pixels) and
    /// improve (negative pixels deleted) the target prediction; writes the map of the learned rule. The model must
    /// compute its ReLUs with one <c>nn.ReLU</c> module per call site and be twice differentiable.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="steps">Adam steps per image (default 40).</param>
    /// <param name="learningRate">Adam's learning rate (seed 002: 0.2).</param>
    public static AttributionEstimator LearnedPropagation(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "LearnedPropagation", string inputColumnName = "Features", string? targetColumnName = null,
        int steps = 40, double learningRate = 0.2) =>
        catalog.LearnedPropagation(model, new LearnedPropagationAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            LearnedPropagation = new LearnedPropagationOptions { Steps = steps, LearningRate = learningRate },
        });

    /// <summary>Learned propagation rules, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings, post-processing, batch size and device.</param>
    /// <exception cref="ArgumentException">A method setting is out of range.</exception>
    public static AttributionEstimator LearnedPropagation(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, LearnedPropagationAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.LearnedPropagation.Validate();
        return new AttributionEstimator(model, AttributionMethodRecipe.For("LearnedPropagation", options.LearnedPropagation), null, options);
    }
}
