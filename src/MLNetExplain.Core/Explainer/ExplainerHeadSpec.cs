using static TorchSharp.torch;

namespace MLNetExplain.Explainer;

/// <summary>The shape of an <see cref="ExplainerHead"/>, saved with its weights so the head can be rebuilt.</summary>
/// <param name="FeatureChannels">Channels of the classifier's feature map h.</param>
/// <param name="FeatureHeight">Height of h.</param>
/// <param name="FeatureWidth">Width of h.</param>
/// <param name="InputHeight">Height of the images (and of the maps produced).</param>
/// <param name="InputWidth">Width of the images (and of the maps produced).</param>
/// <param name="OutputChannels">Channels of the maps: 1 for a heatmap, C for per-channel maps.</param>
/// <param name="Layers">Convolution + batch-norm + ReLU layers before the 1x1 output (4 in seed 001).</param>
public sealed record ExplainerHeadSpec(long FeatureChannels, int FeatureHeight, int FeatureWidth, int InputHeight, int InputWidth,
    int OutputChannels = 1, int Layers = 4)
{
    /// <summary>Builds a freshly initialised head; <paramref name="generator"/> makes the initialisation repeatable.</summary>
    public ExplainerHead Build(Generator? generator = null) => new(this, generator);

    internal void Validate()
    {
        if (FeatureChannels < 1 || FeatureHeight < 1 || FeatureWidth < 1 || InputHeight < 1 || InputWidth < 1 || OutputChannels < 1 || Layers < 1)
        {
            throw new ArgumentException($"Every size of an explainer head must be at least 1; got {this}.", "spec");
        }
    }
}
