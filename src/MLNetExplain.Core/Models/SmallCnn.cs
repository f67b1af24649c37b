using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// A small plain CNN for CPU work and tests: two stages of conv3x3 - BN - activation - max-pool 2, a third
/// conv3x3 - BN - activation whose output is the feature map, then global average pooling and a linear head.
/// Stage widths are <c>width</c>, <c>2 width</c>, <c>2 width</c>.
/// </summary>
/// <remarks>
/// State-dict names: <c>conv{i}.weight</c> (no bias), <c>bn{i}.*</c> for i = 1..3, <c>fc.weight</c>, <c>fc.bias</c>;
/// activation modules <c>act{i}</c> and max-pool modules <c>pool1</c>, <c>pool2</c> hold no state. Every activation and
/// pool is its own module, called once per forward pass, so methods that override their backward pass (DeepLift,
/// Guided Backprop) can hook each call site.
/// </remarks>
public sealed class SmallCnn : ConvClassifier
{
    private readonly (GuardedConv2d Conv, nn.Module<Tensor, Tensor> Bn, nn.Module<Tensor, Tensor> Act)[] _stages;
    private readonly TorchSharp.Modules.MaxPool2d[] _pools;
    private readonly TorchSharp.Modules.Linear fc;

    /// <summary>Creates the network with PyTorch's default initialisation.</summary>
    /// <param name="inputChannels">Input channels (1 grey, 3 RGB).</param>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="width">Channels of the first stage.</param>
    /// <param name="activation">Makes one activation module per call site; default ReLU.</param>
    public SmallCnn(int inputChannels = 1, int numClasses = 10, int width = 16, Func<nn.Module<Tensor, Tensor>>? activation = null)
        : base(nameof(SmallCnn))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        activation ??= Activations.Factory(ActivationKind.ReLU, 1);
        NumClasses = numClasses;
        long[] widths = [width, 2L * width, 2L * width];
        long inChannels = inputChannels;
        _stages = new (GuardedConv2d, nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>)[3];
        _pools = new TorchSharp.Modules.MaxPool2d[2];
        for (int s = 0; s < 3; s++)
        {
            var stage = (new GuardedConv2d(inChannels, widths[s], 3, padding: 1, bias: false), nn.BatchNorm2d(widths[s]), activation());
            register_module($"conv{s + 1}", stage.Item1);
            register_module($"bn{s + 1}", stage.Item2);
            register_module($"act{s + 1}", stage.Item3);
            _stages[s] = stage;
            if (s < _pools.Length)
            {
                _pools[s] = nn.MaxPool2d(2);
                register_module($"pool{s + 1}", _pools[s]);
            }

            inChannels = widths[s];
        }

        FeatureChannels = inChannels;
        fc = nn.Linear(inChannels, numClasses);
        register_module(nameof(fc), fc);
    }

    /// <inheritdoc />
    public override int NumClasses { get; }

    /// <inheritdoc />
    public override long FeatureChannels { get; }

    /// <summary>The feature map [N, 2 width, H / 4, W / 4].</summary>
    public override Tensor Features(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var x = input;
        for (int s = 0; s < _stages.Length; s++)
        {
            var (conv, bn, act) = _stages[s];
            x = act.call(bn.call(conv.call(x)));
            if (s < _pools.Length)
            {
                x = _pools[s].call(x);
            }
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Logits from a feature map: global average pooling, then the linear head.</summary>
    public override Tensor Classify(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        return fc.call(features.mean([2, 3])).MoveToOuterDisposeScope();
    }
}
