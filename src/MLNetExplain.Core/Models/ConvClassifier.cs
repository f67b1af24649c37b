using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// An image classifier split at its last convolutional feature map: <see cref="Features"/> gives the map that
/// the explainer head (seed 001) and Grad-CAM read, <see cref="Classify"/> maps it to logits. Inputs are images
/// [N, C, H, W] with pixels in [0, 1]; <c>forward</c> returns logits [N, <see cref="NumClasses"/>].
/// </summary>
public abstract class ConvClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module with TorchSharp's module name.</summary>
    protected ConvClassifier(string name) : base(name)
    {
    }

    /// <summary>Outputs of the classifier.</summary>
    public abstract int NumClasses { get; }

    /// <summary>Channels of the feature map <see cref="Features"/> returns.</summary>
    public abstract long FeatureChannels { get; }

    /// <summary>The last convolutional feature map [N, <see cref="FeatureChannels"/>, h, w].</summary>
    public abstract Tensor Features(Tensor input);

    /// <summary>Logits [N, <see cref="NumClasses"/>] from a feature map.</summary>
    public abstract Tensor Classify(Tensor features);

    /// <summary>Logits [N, <see cref="NumClasses"/>]: <c>Classify(Features(input))</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Classify(Features(input)).MoveToOuterDisposeScope();
    }
}
