using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Engine;

/// <summary>
/// Routes the convolutions of any TorchSharp module (a user's own model included) through
/// <see cref="ConvolutionGuard"/>'s fix, so input-gradients through it are right on affected engines.
/// </summary>
public static class ModuleProtection
{
    private static readonly ConditionalWeakTable<nn.Module, object> Protected = new();

    /// <summary>
    /// Makes input-gradients through <paramref name="module"/> right on engines with the conv2d fault. Every
    /// method and trainer of MLNetExplain calls this on the models it is given; calling it again is free.
    /// </summary>
    /// <remarks>
    /// TorchSharp gives no way to swap a child module of a user's class (forward calls the C# field), so each
    /// <c>TorchSharp.Modules.Conv2d</c> whose output channels are not a multiple of 16 gets a forward hook that
    /// recomputes its output with the padded convolution when, and only when, the engine is affected and the
    /// call computes an input-gradient at batch &gt; 1 (the original output is then unused, so the layer's forward
    /// runs twice in that case). TorchScript modules cannot be hooked: on an affected engine, one with such a
    /// convolution is refused with <see cref="NotSupportedException"/>.
    /// </remarks>
    /// <param name="module">The model; its parameters and outputs are not changed.</param>
    /// <exception cref="NotSupportedException">A TorchScript convolution would give wrong gradients here.</exception>
    public static void Protect(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        // One lock: pooled PredictionEngines protect the same model from several threads at once, and TorchSharp's
        // hook table is not thread-safe.
        lock (Protected)
        {
            if (Protected.TryGetValue(module, out _))
            {
                return;
            }

            if (module is jit.ScriptModule)
            {
                CheckScriptModule(module);
            }
            else
            {
                foreach (var (name, child) in module.named_modules())
                {
                    // A conv reached again through a wrapper (e.g. an explained classifier around it) keeps its one hook.
                    if (child is TorchSharp.Modules.Conv2d conv && conv.out_channels % ConvolutionGuard.ChannelBlock != 0
                        && !Protected.TryGetValue(conv, out _))
                    {
                        Hook(conv);
                        Protected.AddOrUpdate(conv, true);
                    }
                    else if (child is jit.ScriptModule)
                    {
                        CheckScriptModule(child, name);
                    }
                }
            }

            Protected.AddOrUpdate(module, true);
        }
    }

    private static void Hook(TorchSharp.Modules.Conv2d conv)
    {
        if (conv.groups != 1 && ConvolutionGuard.EngineAffected)
        {
            throw new NotSupportedException($"A grouped Conv2d ({conv.groups} groups, {conv.out_channels} output channels) would give wrong input-gradients on this engine and cannot be padded; use a multiple of {ConvolutionGuard.ChannelBlock} output channels (docs/engine.md).");
        }

        if (conv.padding_mode != PaddingModes.Zeros)
        {
            // Other padding modes pad the input before conv2d; a recomputation here would drop that padding.
            if (ConvolutionGuard.EngineAffected)
            {
                throw new NotSupportedException($"A Conv2d with padding mode {conv.padding_mode} and {conv.out_channels} output channels would give wrong input-gradients on this engine; use zero padding or a multiple of {ConvolutionGuard.ChannelBlock} output channels (docs/engine.md).");
            }

            return;
        }

        long[] padding = conv.padding_type is null ? conv.padding ?? [0, 0] : SamePadding(conv);
        conv.register_forward_hook((layer, input, output) =>
        {
            if (!ConvolutionGuard.NeedsPadding(input, conv.out_channels, conv.groups))
            {
                return output;
            }

            var fixedOutput = ConvolutionGuard.Conv2d(input, conv.weight!, conv.bias, conv.stride, padding, conv.dilation, conv.groups);
            output.Dispose();
            return fixedOutput;
        });
    }

    private static long[] SamePadding(TorchSharp.Modules.Conv2d conv)
    {
        if (conv.padding_type == Padding.Valid)
        {
            return [0, 0];
        }

        // Padding.Same with stride 1 (PyTorch's only allowed case): symmetric padding for odd effective kernels.
        var k = conv.kernel_size;
        var d = conv.dilation;
        long effective0 = d[0] * (k[0] - 1), effective1 = d[1] * (k[1] - 1);
        if (effective0 % 2 != 0 || effective1 % 2 != 0)
        {
            throw new NotSupportedException("A Conv2d with padding 'same' and an even effective kernel cannot be guarded; give explicit padding (docs/engine.md).");
        }

        return [effective0 / 2, effective1 / 2];
    }

    private static void CheckScriptModule(nn.Module script, string prefix = "")
    {
        if (!ConvolutionGuard.EngineAffected)
        {
            return;
        }

        foreach (var (name, parameter) in script.named_parameters())
        {
            if (name.EndsWith("weight", StringComparison.Ordinal) && parameter.dim() == 4 && parameter.shape[0] % ConvolutionGuard.ChannelBlock != 0)
            {
                string layer = string.IsNullOrEmpty(prefix) ? name : $"{prefix}.{name}";
                throw new NotSupportedException(
                    $"TorchScript layer '{layer}' is a convolution with {parameter.shape[0]} output channels. This machine's libtorch computes wrong conv2d input-gradients for it at batch > 1, and TorchScript layers cannot be patched. " +
                    $"Re-export the model with output channels that are multiples of {ConvolutionGuard.ChannelBlock}, load its weights into a TorchSharp module, or, accepting wrong gradients at batch > 1, set ConvolutionGuard.Override = false (docs/engine.md).");
            }
        }
    }
}
