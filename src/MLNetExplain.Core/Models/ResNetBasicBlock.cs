using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// The basic residual block of ResNet-18/34: conv3x3(stride) - BN - act - conv3x3 - BN, plus a shortcut, then act.
/// The shortcut is the identity, or a 1x1 convolution with the block's stride followed by BN where the stride or
/// the width changes.
/// </summary>
/// <remarks>
/// State-dict names as in the common PyTorch CIFAR ResNet (kuangliu/pytorch-cifar, also the robustness library's
/// <c>cifar_models/resnet.py</c>): <c>conv1.weight</c>, <c>bn1.*</c>, <c>conv2.weight</c>, <c>bn2.*</c>,
/// <c>shortcut.0.weight</c> and <c>shortcut.1.*</c> (projection blocks only). The activations <c>act1</c> and
/// <c>act2</c> (after the addition) are modules without state, one per call site.
/// </remarks>
public sealed class ResNetBasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly GuardedConv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> act1;
    private readonly GuardedConv2d conv2;
    private readonly nn.Module<Tensor, Tensor> bn2;
    private readonly nn.Module<Tensor, Tensor>? shortcut;
    private readonly nn.Module<Tensor, Tensor> act2;

    /// <summary>Creates the block with PyTorch's default initialisation.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride of the first convolution and the shortcut.</param>
    /// <param name="activation">Makes each of the block's two activation modules.</param>
    public ResNetBasicBlock(long inChannels, long outChannels, long stride, Func<nn.Module<Tensor, Tensor>> activation)
        : base(nameof(ResNetBasicBlock))
    {
        ArgumentNullException.ThrowIfNull(activation);
        conv1 = new GuardedConv2d(inChannels, outChannels, 3, stride, 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        act1 = activation();
        conv2 = new GuardedConv2d(outChannels, outChannels, 3, 1, 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            shortcut = nn.Sequential(new GuardedConv2d(inChannels, outChannels, 1, stride, 0, bias: false), nn.BatchNorm2d(outChannels));
        }

        act2 = activation();
        if (ReferenceEquals(act1, act2))
        {
            throw new ArgumentException("The activation factory must return a new module on every call.", nameof(activation));
        }

        register_module(nameof(conv1), conv1);
        register_module(nameof(bn1), bn1);
        register_module(nameof(act1), act1);
        register_module(nameof(conv2), conv2);
        register_module(nameof(bn2), bn2);
        if (shortcut is not null)
        {
            register_module(nameof(shortcut), shortcut);
        }

        register_module(nameof(act2), act2);
    }

    /// <summary>Whether the shortcut is a projection (1x1 convolution + BN) rather than the identity.</summary>
    public bool HasProjection => shortcut is not null;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var residual = bn2.call(conv2.call(act1.call(bn1.call(conv1.call(input)))));
        var sum = residual + (shortcut is null ? input : shortcut.call(input));
        return act2.call(sum).MoveToOuterDisposeScope();
    }
}
