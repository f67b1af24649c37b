using Microsoft.ML;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

// AttEXplore (Zhu et al., ICLR 2024): attribution along a transferable adversarial path.
public static partial class AttributionCatalog
{
    /// <summary>
    /// AttEXplore: the path sum of (x_{t+1} - x_t) times the smoothed, momentum-accumulated spectrum-sample gradient
    /// along <paramref name="steps"/> sign steps exploring the L-infinity ball of radius <paramref name="epsilon"/>
    /// (defaults from the reference code; see <see cref="MLNetExplain.Attribution.AttExplore"/>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W]; with input diversity on
    /// (the default) it must accept images enlarged by the resize rate.</param>
    /// <param name="outputColumnName">The map column written, Single vector [C, H, W].</param>
    /// <param name="inputColumnName">The image column, Single vector [C, H, W].</param>
    /// <param name="targetColumnName">A key column of classes to explain; null explains the predicted class.</param>
    /// <param name="epsilon">The L-infinity radius explored, in pixel units.</param>
    /// <param name="steps">Steps of the path (T).</param>
    /// <param name="samples">Spectrum samples per step (N).</param>
    /// <param name="seed">Seed of the draws; each cursor starts from it.</param>
    public static AttributionEstimator AttExplore(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model,
        string outputColumnName = "AttEXplore", string inputColumnName = "Features", string? targetColumnName = null,
        double epsilon = 16.0 / 255.0, int steps = 10, int samples = 20, int seed = 0) =>
        catalog.AttExplore(model, new AttExploreAttributionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, TargetColumnName = targetColumnName,
            AttExplore = new AttExploreOptions { Epsilon = epsilon, Steps = steps, Samples = samples, Seed = seed },
        });

    /// <summary>AttEXplore, from options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A classifier returning logits [N, K] for images [N, C, H, W].</param>
    /// <param name="options">Columns, method settings, post-processing, batch size and device.</param>
    /// <exception cref="ArgumentException">A method setting is out of range.</exception>
    public static AttributionEstimator AttExplore(this TransformsCatalog catalog, nn.Module<Tensor, Tensor> model, AttExploreAttributionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.AttExplore.Validate();
        return new AttributionEstimator(model, AttributionMethodRecipe.For("AttEXplore", options.AttExplore), null, options);
    }
}
