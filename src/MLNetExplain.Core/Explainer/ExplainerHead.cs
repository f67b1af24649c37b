using MLNetExplain.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Explainer;

/// <summary>
/// Seed 001's explainer E: maps the classifier's last feature map h [N, C, h, w] to an attribution map
/// [N, OutputChannels, H, W] at the input's size.
/// </summary>
/// <remarks>
/// The paper gives "4 deconvolutional layers followed by batch normalisation, filters 64/128/256/512, stride 3,
/// ReLU". Four layers of stride 3 would enlarge 4x4 by 81, so "3" is read as the kernel size: four kernel-3
/// layers + BN + ReLU whose channels halve from the feature width (512 -> 256 -> 128 -> 64 -> 32 for ResNet-18:
/// the paper's list read from the output side), at least 8. The first layers keep the size (convolutions,
/// <c>conv{k}</c>) and the last ones double it (transposed convolutions with stride 2, padding 1, output padding 1,
/// <c>deconv{k}</c>), as many as needed: 4x4 -> 32x32 ends with three, 7x7 -> 28x28 with two. A 1x1 convolution
/// (<c>out</c>) gives the map's channels and a bilinear resize covers sizes that are not a power-of-two multiple.
/// Upsampling last runs the widest layers at the feature map's resolution (2.3-3.2x fewer multiply-adds than
/// upsampling first, and it aligned as well: docs/explainer.md); a stride-1 transposed convolution is a
/// convolution with a flipped kernel, so the size-keeping layers are ordinary (guarded) convolutions, which
/// libtorch runs faster on the CPU.
/// </remarks>
public sealed class ExplainerHead : nn.Module<Tensor, Tensor>
{
    /// <summary>The layer layout this version builds, recorded in model files (3: size-keeping convolutions, then upsampling).</summary>
    public const int Layout = 3;

    private readonly List<(nn.Module<Tensor, Tensor> Conv, BatchNorm2d Norm)> _layers = [];
    private readonly GuardedConv2d _output;

    /// <summary>Creates the head; <paramref name="generator"/> (optional) makes the initialisation repeatable.</summary>
    /// <param name="spec">The head's shape.</param>
    /// <param name="generator">Draws PyTorch's default initialisation; null draws from the global generator.</param>
    public ExplainerHead(ExplainerHeadSpec spec, Generator? generator = null) : base(nameof(ExplainerHead))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        int doublings = 0;
        for (long h = spec.FeatureHeight, w = spec.FeatureWidth; h * 2 <= spec.InputHeight && w * 2 <= spec.InputWidth && doublings < spec.Layers; h *= 2, w *= 2)
        {
            doublings++;
        }

        long channels = spec.FeatureChannels;
        for (int k = 0; k < spec.Layers; k++)
        {
            long next = Math.Max(8, channels / 2);
            bool up = k >= spec.Layers - doublings;
            nn.Module<Tensor, Tensor> conv = up
                ? nn.ConvTranspose2d(channels, next, 3, stride: 2, padding: 1, output_padding: 1, bias: false)
                : new GuardedConv2d(channels, next, 3, padding: 1, bias: false);
            register_module(up ? $"deconv{k + 1}" : $"conv{k + 1}", conv);
            var norm = nn.BatchNorm2d(next);
            register_module($"bn{k + 1}", norm);
            _layers.Add((conv, norm));
            channels = next;
        }

        _output = new GuardedConv2d(channels, spec.OutputChannels, 1);
        register_module("out", _output);
        if (generator is not null)
        {
            Initialise(generator);
        }
    }

    /// <summary>The head's shape.</summary>
    public ExplainerHeadSpec Spec { get; }

    /// <summary>Channels of the maps produced.</summary>
    public int OutputChannels => Spec.OutputChannels;

    /// <summary>The attribution map [N, OutputChannels, InputHeight, InputWidth] for a feature map [N, C, h, w].</summary>
    /// <exception cref="ArgumentException">The feature map is not [N, FeatureChannels, FeatureHeight, FeatureWidth].</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != Spec.FeatureChannels || input.shape[2] != Spec.FeatureHeight || input.shape[3] != Spec.FeatureWidth)
        {
            throw new ArgumentException($"The explainer head expects feature maps [N, {Spec.FeatureChannels}, {Spec.FeatureHeight}, {Spec.FeatureWidth}]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        using var scope = NewDisposeScope();
        var x = input;
        foreach (var (conv, norm) in _layers)
        {
            x = nn.functional.relu(norm.call(conv.call(x)));
        }

        x = _output.call(x);
        if (x.shape[2] != Spec.InputHeight || x.shape[3] != Spec.InputWidth)
        {
            x = nn.functional.interpolate(x, [Spec.InputHeight, Spec.InputWidth], mode: InterpolationMode.Bilinear, align_corners: false);
        }

        return x.MoveToOuterDisposeScope();
    }

    // PyTorch's default initialisation (kaiming_uniform with a = sqrt(5): bound 1/sqrt(fan_in), bias the same),
    // drawn from the given generator. PyTorch computes a transposed convolution's fan_in from its weight's dim 1.
    private void Initialise(Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.StartsWith("bn", StringComparison.Ordinal))
            {
                continue;
            }

            var weight = name.EndsWith(".bias", StringComparison.Ordinal) ? get_parameter(name[..^".bias".Length] + ".weight")! : parameter;
            long fanIn = weight.shape[1] * weight.shape[2] * weight.shape[3];
            double bound = 1 / Math.Sqrt(fanIn);
            // Drawn with rand and copied: TorchSharp 0.107's init.uniform_ does not honour its generator argument.
            var draw = rand(parameter.shape, ScalarType.Float32, generator: generator);
            parameter.copy_(draw.mul_(2 * bound).sub_(bound));
            draw.Dispose();
        }
    }
}
