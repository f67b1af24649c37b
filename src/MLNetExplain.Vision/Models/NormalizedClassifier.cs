using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Vision.Models;

/// <summary>
/// A classifier whose first step is per-channel normalisation (x - mean) / std, so it takes images in [0, 1]:
/// adversarial attacks then work in pixel space, where epsilon and the [0, 1] box have their usual meaning (the
/// convention of the robustness library). State-dict names: <c>mean</c>, <c>std</c>, <c>net.*</c>.
/// </summary>
public sealed class NormalizedClassifier : ConvClassifier
{
    private readonly Tensor _mean;
    private readonly Tensor _std;

    /// <summary>Wraps <paramref name="net"/> (which this object then owns).</summary>
    public NormalizedClassifier(ConvClassifier net, float[] mean, float[] std)
    {
        Net = RegisterModule("net", net ?? throw new ArgumentNullException(nameof(net)));
        if (mean.Length != std.Length || mean.Length == 0 || std.Any(s => !(s > 0)))
        {
            throw new ArgumentException("Normalisation needs one mean and one positive std per input channel.");
        }

        _mean = RegisterBuffer("mean", Tensor.From(mean, 1, mean.Length, 1, 1));
        _std = RegisterBuffer("std", Tensor.From(std, 1, std.Length, 1, 1));
    }

    /// <summary>The wrapped classifier, which sees normalised input.</summary>
    public ConvClassifier Net { get; }

    /// <inheritdoc />
    public override int NumClasses => Net.NumClasses;

    /// <inheritdoc />
    public override long FeatureChannels => Net.FeatureChannels;

    /// <inheritdoc />
    public override IReadOnlyList<(string Name, Activation Activation)> Activations =>
        Net.Activations.Select(a => ("net." + a.Name, a.Activation)).ToList();

    /// <inheritdoc />
    public override Tensor Features(Tensor input)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        return Net.Features((input - _mean) / _std).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Classify(Tensor features) => Net.Classify(features);
}
