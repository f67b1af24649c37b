using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Vision.Models;

/// <summary>
/// A small plain CNN for CPU work and tests: two stages of conv3x3 - BN - activation - max-pool 2, a third
/// conv3x3 - BN - activation whose output is the feature map, then global average pooling and a linear head.
/// Child names: <c>conv1</c>, <c>bn1</c>, <c>act1</c>, <c>conv2</c>, <c>bn2</c>, <c>act2</c>, <c>conv3</c>,
/// <c>bn3</c>, <c>act3</c>, <c>fc</c>.
/// </summary>
public sealed class SmallCnn : ConvClassifier
{
    private readonly (Conv2d Conv, BatchNorm2d Bn, Activation Act)[] _stages;
    private readonly List<(string, Activation)> _activations = [];
    private readonly Linear _fc;

    /// <summary>Creates the network with stage widths <paramref name="width"/>, 2x and 2x.</summary>
    public SmallCnn(int inputChannels = 1, int numClasses = 10, int width = 16, Func<Activation>? activationFactory = null,
        Generator? generator = null)
    {
        activationFactory ??= static () => new ReLU();
        NumClasses = numClasses;
        long[] widths = [width, 2L * width, 2L * width];
        long inChannels = inputChannels;
        _stages = new (Conv2d, BatchNorm2d, Activation)[3];
        for (var s = 0; s < 3; s++)
        {
            var conv = RegisterModule($"conv{s + 1}", new Conv2d(inChannels, widths[s], 3, padding: 1, bias: false, generator: generator));
            var bn = RegisterModule($"bn{s + 1}", new BatchNorm2d(widths[s]));
            var act = RegisterModule($"act{s + 1}", activationFactory());
            _activations.Add(($"act{s + 1}", act));
            _stages[s] = (conv, bn, act);
            inChannels = widths[s];
        }

        FeatureChannels = inChannels;
        _fc = RegisterModule("fc", new Linear(inChannels, numClasses, generator: generator));
    }

    /// <inheritdoc />
    public override int NumClasses { get; }

    /// <inheritdoc />
    public override long FeatureChannels { get; }

    /// <inheritdoc />
    public override IReadOnlyList<(string Name, Activation Activation)> Activations => _activations;

    /// <summary>The feature map [N, 2 * width, H/4, W/4].</summary>
    public override Tensor Features(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = Torch.Torch.NewDisposeScope();
        var x = input;
        for (var s = 0; s < _stages.Length; s++)
        {
            var (conv, bn, act) = _stages[s];
            x = act.Forward(bn.Forward(conv.Forward(x)));
            if (s < 2)
            {
                x = Functional.MaxPool2d(x, 2);
            }
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor Classify(Tensor features)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        return _fc.Forward(features.Mean([2, 3])).MoveToOuterDisposeScope();
    }
}
