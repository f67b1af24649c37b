using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Vision.Models;

/// <summary>
/// Seed 001's explainer E: upsamples the classifier's last feature map h [N, C, h, w] to an attribution map
/// [N, OutputChannels, H, W] at the input's size. The paper gives "4 deconvolutional layers followed by batch
/// normalisation, filters 64/128/256/512, stride 3, ReLU". Four layers of stride 3 would enlarge 4x4 by 81, so we
/// read "3" as the kernel size: four ConvTranspose2d(kernel 3) - BN - ReLU layers whose channels halve from the
/// feature width (512 -> 256 -> 128 -> 64 -> 32 for ResNet-18: the paper's list, read from the output side).
/// The first layers keep the size (stride 1, padding 1) and the last ones upsample by 2 (stride 2, padding 1,
/// output padding 1), as many as needed: 4x4 -> 32x32 (CIFAR, ResNet-18) ends with three stride-2 layers, 7x7 ->
/// 28x28 (Fashion-MNIST, compact nets) with two. A final 1x1 convolution maps to the output channels, and a
/// bilinear resize covers sizes that are not a power-of-two multiple.
/// Upsampling last runs the widest layers at the feature map's resolution: a transposed convolution costs input
/// pixels x channels in x out, so the head needs 2.3x (ResNet-18) to 3.2x (the demo CNN) fewer multiply-adds than
/// with the upsampling first, and it aligned as well in our measurements (docs/explainer.md).
/// The size-keeping layers are parametrised as ordinary convolutions (<c>conv{k}</c>, weight [out, in, 3, 3]): a
/// stride-1 transposed convolution is a convolution with its kernel flipped and in/out swapped, so the functions are
/// the same, but libtorch runs convolutions through oneDNN and transposed ones through a generic im2col path on the
/// CPU, about 3x slower at batch 64 for ResNet-18's 512 -> 256 layer. The upsampling layers are <c>deconv{k}</c>.
/// </summary>
public sealed class ExplainerHead : Module
{
    private readonly List<(Module Conv, BatchNorm2d Bn, ReLU Act)> _layers = [];
    private readonly Conv2d _output;

    /// <summary>Creates the head for features of <paramref name="featureChannels"/> channels at featureSize, producing inputSize maps.</summary>
    public ExplainerHead(long featureChannels, int featureHeight, int featureWidth, int inputHeight, int inputWidth, int outputChannels = 1,
        int layers = 4, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        (InputHeight, InputWidth, OutputChannels) = (inputHeight, inputWidth, outputChannels);
        var doublings = 0;
        for (long h = featureHeight, w = featureWidth; h * 2 <= inputHeight && w * 2 <= inputWidth && doublings < layers; h *= 2, w *= 2)
        {
            doublings++;
        }

        var channels = featureChannels;
        for (var k = 0; k < layers; k++)
        {
            var next = Math.Max(8, channels / 2);
            var up = k >= layers - doublings;
            Module conv = up
                ? RegisterModule($"deconv{k + 1}", new ConvTranspose2d(channels, next, 3, stride: 2, padding: 1, outputPadding: 1, bias: false, generator: generator))
                : RegisterModule($"conv{k + 1}", new Conv2d(channels, next, 3, padding: 1, bias: false, generator: generator));
            var bn = RegisterModule($"bn{k + 1}", new BatchNorm2d(next));
            var act = RegisterModule($"act{k + 1}", new ReLU());
            _layers.Add((conv, bn, act));
            channels = next;
        }

        _output = RegisterModule("out", new Conv2d(channels, outputChannels, 1, generator: generator));
    }

    /// <summary>Height of the maps produced.</summary>
    public int InputHeight { get; }

    /// <summary>Width of the maps produced.</summary>
    public int InputWidth { get; }

    /// <summary>Channels of the maps produced (1 for a heatmap, C for a per-channel map).</summary>
    public int OutputChannels { get; }

    /// <summary>The attribution map [N, OutputChannels, InputHeight, InputWidth] for a feature map.</summary>
    public override Tensor Forward(Tensor input)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var x = input;
        foreach (var (conv, bn, act) in _layers)
        {
            x = act.Forward(bn.Forward(conv.Forward(x)));
        }

        x = _output.Forward(x);
        if (x.Size(2) != InputHeight || x.Size(3) != InputWidth)
        {
            x = Functional.Interpolate(x, InputHeight, InputWidth, InterpolationMode.Bilinear);
        }

        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>A classifier plus an explainer head on its last feature map: one forward pass gives logits and a heatmap.</summary>
public sealed class ExplainedClassifier : Module
{
    /// <summary>Combines a classifier and a head (both then owned by this module; state names <c>classifier.*</c>, <c>explainer.*</c>).</summary>
    public ExplainedClassifier(ConvClassifier classifier, ExplainerHead explainer)
    {
        Classifier = RegisterModule("classifier", classifier);
        Explainer = RegisterModule("explainer", explainer);
    }

    /// <summary>The classifier f.</summary>
    public ConvClassifier Classifier { get; }

    /// <summary>The explainer E.</summary>
    public ExplainerHead Explainer { get; }

    /// <summary>Logits and attribution map from one pass through the backbone.</summary>
    public (Tensor Logits, Tensor Map) ForwardBoth(Tensor input)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var features = Classifier.Features(input);
        return (Classifier.Classify(features).MoveToOuterDisposeScope(), Explainer.Forward(features).MoveToOuterDisposeScope());
    }

    /// <summary>The logits only.</summary>
    public override Tensor Forward(Tensor input) => Classifier.Forward(input);
}
