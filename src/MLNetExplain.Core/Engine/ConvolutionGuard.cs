using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Engine;

/// <summary>
/// Guards against wrong conv2d input-gradients in libtorch 2.10's oneDNN kernels.
/// </summary>
/// <remarks>
/// On AVX-512 CPUs (seen on AMD EPYC), libtorch 2.10 returns wrong conv2d input-gradients when the batch is
/// larger than 1 and the output-channel count is not a multiple of oneDNN's channel block (16): the
/// backward-data kernel for a channel-padded gradient layout is wrong, by more than the gradient itself.
/// Weight gradients, batch 1 and float64 are right. The fix computes the convolution with zero filters appended
/// up to the next multiple of 16 output channels and slices the output back, which changes nothing but the
/// layout oneDNN picks. <see cref="EngineAffected"/> detects the fault once per process with a float32 vs
/// float64 check, so unaffected machines pay nothing. See docs/engine.md for the measurements.
/// </remarks>
public static class ConvolutionGuard
{
    /// <summary>oneDNN's output-channel block with AVX-512; padded convolutions use multiples of it.</summary>
    public const int ChannelBlock = 16;

    private static readonly Lazy<bool> Affected = new(DetectFault, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly bool? EnvironmentOverride = ReadEnvironmentOverride();
    private static readonly AsyncLocal<bool?> LocalOverride = new();

    /// <summary>
    /// Forces the guard on or off (for tests and benchmarks), or back to detection with <c>null</c>, for the
    /// current thread and the async flow it starts (other threads keep theirs). Environment variable
    /// <c>MLNETEXPLAIN_CONV_GUARD</c> = <c>on</c>/<c>off</c> sets the process-wide default.
    /// </summary>
    public static bool? Override
    {
        get => LocalOverride.Value ?? EnvironmentOverride;
        set => LocalOverride.Value = value;
    }

    /// <summary>
    /// Whether this process's libtorch computes wrong conv2d input-gradients on the CPU (batch 2, 3 output
    /// channels, float32 against float64). Measured once, on first use.
    /// </summary>
    public static bool EngineAffected => Override ?? Affected.Value;

    /// <summary>What the self-check measured, whatever <see cref="Override"/> says.</summary>
    internal static bool Detected => Affected.Value;

    /// <summary>Whether a convolution with these settings needs the padded computation.</summary>
    /// <param name="input">The convolution's input [N, C, H, W].</param>
    /// <param name="outChannels">The convolution's output channels.</param>
    /// <param name="groups">The convolution's groups; grouped convolutions are never padded.</param>
    public static bool NeedsPadding(Tensor input, long outChannels, long groups = 1) =>
        outChannels % ChannelBlock != 0
        && groups == 1
        && input.shape[0] > 1
        && input.device_type == DeviceType.CPU
        && input.dtype != ScalarType.Float64
        && input.requires_grad
        && is_grad_enabled()
        && EngineAffected;

    /// <summary>
    /// <c>conv2d</c> that returns right input-gradients on affected engines: identical to
    /// <see cref="nn.functional.conv2d"/> otherwise.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1)
    {
        long outChannels = weight.shape[0];
        if (!NeedsPadding(input, outChannels, groups))
        {
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        }

        using var scope = NewDisposeScope();
        long padded = (outChannels + ChannelBlock - 1) / ChannelBlock * ChannelBlock;
        var extra = zeros([padded - outChannels, weight.shape[1], weight.shape[2], weight.shape[3]], weight.dtype, weight.device);
        var paddedWeight = cat([weight, extra], 0);
        var output = nn.functional.conv2d(input, paddedWeight, null, stride, padding, dilation, 1).narrow(1, 0, outChannels);
        if (bias is not null)
        {
            output = output + bias.view(1, outChannels, 1, 1);
        }

        return output.MoveToOuterDisposeScope();
    }

    private static bool DetectFault()
    {
        // The smallest configuration seen wrong: 3 output channels at batch 2, compared with float64.
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        using var generator = new Generator(7);
        var x64 = randn([2, 3, 8, 8], ScalarType.Float64, generator: generator);
        var w64 = randn([3, 3, 3, 3], ScalarType.Float64, generator: generator);
        var gradOut = randn([2, 3, 8, 8], ScalarType.Float64, generator: generator);

        double[] InputGradient(ScalarType dtype)
        {
            var x = x64.to_type(dtype).detach().requires_grad_();
            var y = nn.functional.conv2d(x, w64.to_type(dtype), null, [1, 1], [1, 1], [1, 1], 1);
            var g = autograd.grad([y], [x], [gradOut.to_type(dtype)])[0];
            return g.to_type(ScalarType.Float64).data<double>().ToArray();
        }

        var expected = InputGradient(ScalarType.Float64);
        var actual = InputGradient(ScalarType.Float32);
        double scale = expected.Max(Math.Abs);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        // Float32 rounding gives about 1e-6 here; the fault gives errors of the gradient's own size or NaN.
        return !(worst <= 1e-3 * scale);
    }

    private static bool? ReadEnvironmentOverride() =>
        Environment.GetEnvironmentVariable("MLNETEXPLAIN_CONV_GUARD")?.Trim().ToLowerInvariant() switch
        {
            "on" or "1" or "true" => true,
            "off" or "0" or "false" => false,
            _ => null,
        };
}
