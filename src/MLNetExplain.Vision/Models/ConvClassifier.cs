using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Vision.Models;

/// <summary>
/// An image classifier split at its last convolutional feature map: <see cref="Features"/> gives the map that
/// the explainer head and Grad-CAM read, <see cref="Classify"/> maps it to logits. Every activation call site is
/// its own module, listed in <see cref="Activations"/>, so backward rules can be changed per site.
/// </summary>
public abstract class ConvClassifier : Module
{
    /// <summary>Outputs of the classifier.</summary>
    public abstract int NumClasses { get; }

    /// <summary>Channels of the feature map <see cref="Features"/> returns.</summary>
    public abstract long FeatureChannels { get; }

    /// <summary>Every activation call site with its dotted module name, in forward order.</summary>
    public abstract IReadOnlyList<(string Name, Activation Activation)> Activations { get; }

    /// <summary>The last convolutional feature map [N, FeatureChannels, h, w]; the caller (or its scope) owns it.</summary>
    public abstract Tensor Features(Tensor input);

    /// <summary>Logits [N, NumClasses] from a feature map.</summary>
    public abstract Tensor Classify(Tensor features);

    /// <summary>Logits [N, NumClasses]: <c>Classify(Features(input))</c>.</summary>
    public override Tensor Forward(Tensor input)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        using var features = Features(input);
        return Classify(features).MoveToOuterDisposeScope();
    }
}
