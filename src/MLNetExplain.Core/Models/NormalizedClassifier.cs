using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// A classifier whose first step is per-channel normalisation (x - mean) / std, so it takes images in [0, 1]:
/// attacks and attributions then work in pixel space, where epsilon and the [0, 1] box have their usual meaning
/// (the robustness library's convention). State-dict names: <c>mean</c> and <c>std</c> (buffers [1, C, 1, 1]),
/// <c>net.*</c>.
/// </summary>
public sealed class NormalizedClassifier : ConvClassifier
{
    // Field names are the state-dict names; RegisterComponents registers the tensors as buffers and rebinds them on to(...).
    private readonly ConvClassifier net;
    private Tensor mean;
    private Tensor std;

    /// <summary>Wraps <paramref name="net"/>, which this module then owns.</summary>
    /// <param name="net">The classifier that sees normalised input.</param>
    /// <param name="mean">One mean per input channel.</param>
    /// <param name="std">One positive standard deviation per input channel.</param>
    public NormalizedClassifier(ConvClassifier net, IReadOnlyList<float> mean, IReadOnlyList<float> std)
        : base(nameof(NormalizedClassifier))
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count || std.Any(s => !(s > 0) || float.IsInfinity(s)) || mean.Any(m => !float.IsFinite(m)))
        {
            throw new ArgumentException(
                $"Normalisation needs one finite mean and one positive finite std per input channel; got {mean.Count} means and {std.Count} stds.", nameof(std));
        }

        this.net = net;
        this.mean = tensor(mean.ToArray()).view(1, mean.Count, 1, 1);
        this.std = tensor(std.ToArray()).view(1, std.Count, 1, 1);
        RegisterComponents();
    }

    /// <summary>The wrapped classifier, which sees normalised input.</summary>
    public ConvClassifier Net => net;

    /// <summary>The per-channel means [1, C, 1, 1].</summary>
    public Tensor Mean => mean;

    /// <summary>The per-channel standard deviations [1, C, 1, 1].</summary>
    public Tensor Std => std;

    /// <summary>Input channels.</summary>
    public long Channels => mean.shape[1];

    /// <inheritdoc />
    public override int NumClasses => net.NumClasses;

    /// <inheritdoc />
    public override long FeatureChannels => net.FeatureChannels;

    /// <summary>(x - mean) / std for images x [N, C, H, W] in [0, 1].</summary>
    public Tensor Normalize(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != Channels)
        {
            throw new ArgumentException($"Expected images [N, {Channels}, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        using var scope = NewDisposeScope();
        return ((input - mean) / std).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        return net.Features(Normalize(input)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Classify(Tensor features) => net.Classify(features);
}
