using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

/// <summary>Reverse-mode differentiation over libtorch's recorded graph (torch.autograd).</summary>
public static class Autograd
{
    /// <summary>
    /// Accumulates d(sum of tensors * gradTensors)/d(leaf) into each leaf's <see cref="Tensor.Grad"/>
    /// (torch.autograd.backward). gradTensors may be null for scalar outputs.
    /// </summary>
    public static unsafe void Backward(Tensor[] tensors, Tensor?[]? gradTensors = null, bool? retainGraph = null,
        bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        CheckPaired(tensors, gradTensors, nameof(gradTensors));
        Span<IntPtr> t = Handles(tensors);
        Span<IntPtr> g = gradTensors is null ? default : Handles(gradTensors);
        fixed (IntPtr* pt = t)
        fixed (IntPtr* pg = g)
        {
            NativeMethods.Check(NativeMethods.MLXAutograd_backward(pt, t.Length, gradTensors is null ? null : pg,
                Flag(retainGraph), createGraph ? 1 : 0));
        }

        GC.KeepAlive(tensors);
        GC.KeepAlive(gradTensors);
    }

    /// <summary>
    /// The gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>
    /// (torch.autograd.grad). With <paramref name="createGraph"/> the result is itself differentiable,
    /// which double backward (gradient penalties, gradient alignment) needs. An input the outputs do not
    /// depend on gives null when <paramref name="allowUnused"/> is set, and an error otherwise.
    /// </summary>
    public static unsafe Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? gradOutputs = null,
        bool? retainGraph = null, bool createGraph = false, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        CheckPaired(outputs, gradOutputs, nameof(gradOutputs));
        Span<IntPtr> o = Handles(outputs);
        Span<IntPtr> i = Handles(inputs);
        Span<IntPtr> g = gradOutputs is null ? default : Handles(gradOutputs);
        var results = new IntPtr[inputs.Length];
        fixed (IntPtr* po = o)
        fixed (IntPtr* pi = i)
        fixed (IntPtr* pg = g)
        fixed (IntPtr* pr = results)
        {
            NativeMethods.Check(NativeMethods.MLXAutograd_grad(po, o.Length, pi, i.Length,
                gradOutputs is null ? null : pg, Flag(retainGraph), createGraph ? 1 : 0, allowUnused ? 1 : 0, pr));
        }

        GC.KeepAlive(outputs);
        GC.KeepAlive(inputs);
        GC.KeepAlive(gradOutputs);
        return Array.ConvertAll(results, Tensor.FromNullable);
    }

    /// <summary>The gradient of one output with respect to one input; see <see cref="Grad(Tensor[], Tensor[], Tensor?[], bool?, bool, bool)"/>.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool? retainGraph = null,
        bool createGraph = false) =>
        Grad([output], [input], gradOutput is null ? null : [gradOutput], retainGraph, createGraph)[0]!;

    private static IntPtr[] Handles(Tensor?[] tensors) => Array.ConvertAll(tensors, t => t?.Handle ?? IntPtr.Zero);

    private static int Flag(bool? value) => value is null ? -1 : value.Value ? 1 : 0;

    private static void CheckPaired(Tensor[] outputs, Tensor?[]? grads, string name)
    {
        if (grads is not null && grads.Length != outputs.Length)
        {
            throw new ArgumentException($"Got {grads.Length} gradients for {outputs.Length} outputs.", name);
        }
    }
}
