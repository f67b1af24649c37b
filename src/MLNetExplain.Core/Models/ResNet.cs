using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// A CIFAR-style ResNet: a 3x3 stride-1 stem convolution (no max-pool), stages of <see cref="ResNetBasicBlock"/>s
/// (stage <c>s</c>, 0-based, has width <c>baseWidth * 2^s</c> and, except the first, halves the resolution),
/// global average pooling and a linear head. <see cref="ResNet18"/> is the usual CIFAR ResNet-18
/// (64/128/256/512, blocks [2, 2, 2, 2], 11.2M parameters with 10 classes); <see cref="Compact"/> is a 3-stage
/// 16/32/64 network (about 78k parameters with one block per stage) that trains quickly on a CPU.
/// </summary>
/// <remarks>
/// <para>
/// State-dict names follow the common PyTorch CIFAR ResNet (kuangliu/pytorch-cifar; the robustness library's
/// <c>cifar_models/resnet.py</c> uses the same), so its state dicts load by name: <c>conv1.weight</c>,
/// <c>bn1.{weight, bias, running_mean, running_var, num_batches_tracked}</c>,
/// <c>layer{s}.{b}.conv1.weight</c>, <c>layer{s}.{b}.bn1.*</c>, <c>layer{s}.{b}.conv2.weight</c>,
/// <c>layer{s}.{b}.bn2.*</c>, <c>layer{s}.{b}.shortcut.0.weight</c> and <c>layer{s}.{b}.shortcut.1.*</c> (first
/// block of every stage but the first), <c>linear.weight</c>, <c>linear.bias</c>. That network pools with
/// <c>avg_pool2d(out, 4)</c>, which equals the global average pooling here for 32x32 inputs; other input sizes
/// work here too. Activation modules (<c>act1</c>, <c>layer{s}.{b}.act1</c>, <c>layer{s}.{b}.act2</c>) hold no state.
/// </para>
/// <para>Weights use PyTorch's default initialisation (every convolution is a <see cref="GuardedConv2d"/>).</para>
/// </remarks>
public sealed class ResNet : ConvClassifier
{
    private readonly GuardedConv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> act1;
    private readonly nn.Module<Tensor, Tensor>[] _stages;
    private readonly TorchSharp.Modules.Linear linear;

    /// <summary>Creates the network.</summary>
    /// <param name="numClasses">Outputs of the linear head.</param>
    /// <param name="inputChannels">Channels of the input images (3 RGB, 1 grey).</param>
    /// <param name="baseWidth">Channels of the stem and the first stage; each later stage doubles it.</param>
    /// <param name="blocksPerStage">Basic blocks per stage, first stage first; its length is the stage count. Default [2, 2, 2, 2].</param>
    /// <param name="activation">Makes one activation module per call site; default ReLU.</param>
    public ResNet(int numClasses = 10, int inputChannels = 3, int baseWidth = 64, IReadOnlyList<int>? blocksPerStage = null,
        Func<nn.Module<Tensor, Tensor>>? activation = null)
        : base(nameof(ResNet))
    {
        blocksPerStage ??= [2, 2, 2, 2];
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseWidth, 1);
        if (blocksPerStage.Count is < 1 or > 16 || blocksPerStage.Any(b => b < 1))
        {
            throw new ArgumentException(
                $"A ResNet needs 1 to 16 stages of at least one block each; got [{string.Join(", ", blocksPerStage)}].", nameof(blocksPerStage));
        }

        activation ??= Activations.Factory(ActivationKind.ReLU, 1);
        NumClasses = numClasses;
        BlocksPerStage = [.. blocksPerStage];
        long width = baseWidth;
        conv1 = new GuardedConv2d(inputChannels, width, 3, 1, 1, bias: false);
        bn1 = nn.BatchNorm2d(width);
        act1 = activation();
        register_module(nameof(conv1), conv1);
        register_module(nameof(bn1), bn1);
        register_module(nameof(act1), act1);
        _stages = new nn.Module<Tensor, Tensor>[blocksPerStage.Count];
        for (int s = 0; s < _stages.Length; s++)
        {
            long outWidth = (long)baseWidth << s;
            var blocks = new nn.Module<Tensor, Tensor>[blocksPerStage[s]];
            for (int b = 0; b < blocks.Length; b++)
            {
                blocks[b] = new ResNetBasicBlock(b == 0 ? width : outWidth, outWidth, s > 0 && b == 0 ? 2 : 1, activation);
            }

            _stages[s] = nn.Sequential(blocks);
            register_module($"layer{s + 1}", _stages[s]);
            width = outWidth;
        }

        FeatureChannels = width;
        linear = nn.Linear(width, numClasses);
        register_module(nameof(linear), linear);
    }

    /// <summary>CIFAR ResNet-18: base width 64, blocks [2, 2, 2, 2].</summary>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="inputChannels">Input channels.</param>
    /// <param name="activation">Activation per call site; default ReLU.</param>
    public static ResNet ResNet18(int numClasses = 10, int inputChannels = 3, Func<nn.Module<Tensor, Tensor>>? activation = null) =>
        new(numClasses, inputChannels, 64, [2, 2, 2, 2], activation);

    /// <summary>The compact 3-stage ResNet with widths 16/32/64 and <paramref name="blocksPerStage"/> blocks per stage.</summary>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="inputChannels">Input channels.</param>
    /// <param name="blocksPerStage">Blocks in each of the three stages.</param>
    /// <param name="activation">Activation per call site; default ReLU.</param>
    public static ResNet Compact(int numClasses = 10, int inputChannels = 3, int blocksPerStage = 1,
        Func<nn.Module<Tensor, Tensor>>? activation = null) =>
        new(numClasses, inputChannels, 16, [blocksPerStage, blocksPerStage, blocksPerStage], activation);

    /// <summary>Blocks per stage, first stage first.</summary>
    public IReadOnlyList<int> BlocksPerStage { get; }

    /// <inheritdoc />
    public override int NumClasses { get; }

    /// <inheritdoc />
    public override long FeatureChannels { get; }

    /// <summary>
    /// The last stage's output before pooling: [N, FeatureChannels, H / 2^(stages-1), W / 2^(stages-1)]
    /// (4x4 for ResNet-18 on 32x32 inputs: the usual Grad-CAM layer).
    /// </summary>
    public override Tensor Features(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        // Channels-last memory (NHWC strides, same NCHW shape): libtorch 2.10's oneDNN convolutions run about 14%
        // cheaper on it and keep the layout through the network (docs/benchmarks.md, "The train-step gap"). The
        // gradient that flows back to the input then has channels-last strides too: read it through contiguous().
        var x = input.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        x = act1.call(bn1.call(conv1.call(x)));
        foreach (var stage in _stages)
        {
            x = stage.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Logits from a feature map: global average pooling, then the linear head.</summary>
    public override Tensor Classify(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        return linear.call(features.mean([2, 3])).MoveToOuterDisposeScope();
    }
}
