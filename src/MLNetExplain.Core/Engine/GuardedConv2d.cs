using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Engine;

/// <summary>
/// A 2-D convolution with PyTorch's <c>nn.Conv2d</c> parameters, state-dict names (<c>weight</c>, <c>bias</c>)
/// and initialisation, whose input-gradients are right on engines with the fault that
/// <see cref="ConvolutionGuard"/> describes. Every convolution in MLNetExplain's models is one of these.
/// </summary>
public sealed class GuardedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly long[] _stride;
    private readonly long[] _padding;
    private readonly long[] _dilation;
    private readonly long _groups;
    // Field names are the state-dict names: TorchSharp registers fields by name and rebinds them on to(...).
    private Parameter weight;
    private Parameter? bias;

    /// <summary>Creates the layer with PyTorch's default (Kaiming-uniform) initialisation.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="dilation">Dilation.</param>
    /// <param name="groups">Groups.</param>
    /// <param name="bias">Whether the layer adds a bias.</param>
    public GuardedConv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1, bool bias = true)
        : base(nameof(GuardedConv2d))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"inChannels ({inChannels}) and outChannels ({outChannels}) must be multiples of groups ({groups}).");
        }

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        _stride = [stride, stride];
        _padding = [padding, padding];
        _dilation = [dilation, dilation];
        _groups = groups;

        // Same initialisation as torch.nn.Conv2d.reset_parameters (via TorchSharp's own layer), so weights are
        // drawn from the global generator exactly as a TorchSharp Conv2d would draw them.
        using var reference = nn.Conv2d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups: groups, bias: bias);
        weight = new Parameter(reference.weight!.detach().clone());
        this.bias = bias ? new Parameter(reference.bias!.detach().clone()) : null;
        RegisterComponents();
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Square kernel size.</summary>
    public long KernelSize { get; }

    /// <summary>The filters [out, in / groups, k, k] (state-dict name <c>weight</c>).</summary>
    public Parameter Weight => weight;

    /// <summary>The bias [out] (state-dict name <c>bias</c>), or null.</summary>
    public Parameter? Bias => bias;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != InChannels)
        {
            throw new ArgumentException($"GuardedConv2d expects input [N, {InChannels}, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        return ConvolutionGuard.Conv2d(input, weight, bias, _stride, _padding, _dilation, _groups);
    }
}
