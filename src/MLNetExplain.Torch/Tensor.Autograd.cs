using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

public sealed partial class Tensor
{
    /// <summary>Whether operations on this tensor are recorded for gradients.</summary>
    public bool RequiresGrad
    {
        get => Info.RequiresGrad;
        set => NativeMethods.Check(NativeMethods.MLXTensor_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (fluent, like requires_grad_()).</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>Whether the tensor is a graph leaf (created by the user, not by a recorded operation).</summary>
    public bool IsLeaf => Info.IsLeaf;

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/>, as a new handle the caller owns (or that the
    /// current scope owns); null when none exists. Setting null clears it.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.MLXTensor_grad(Handle, out var g));
            return FromNullable(g);
        }
        set
        {
            NativeMethods.Check(NativeMethods.MLXTensor_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
            GC.KeepAlive(value);
        }
    }

    /// <summary>Keeps the gradient of a non-leaf tensor after backward.</summary>
    public void RetainGrad() => NativeMethods.Check(NativeMethods.MLXTensor_retain_grad(Handle));

    /// <summary>Accumulates gradients of this (scalar) tensor into the leaves' <see cref="Grad"/>.</summary>
    public void Backward(Tensor? gradient = null, bool? retainGraph = null, bool createGraph = false) =>
        Autograd.Backward([this], gradient is null ? null : [gradient], retainGraph, createGraph);

    /// <summary>
    /// Makes <paramref name="source"/>'s data this tensor's data in place, keeping this object's identity
    /// and autograd flags (used when loading weights into parameters an optimiser already holds).
    /// </summary>
    public void SetData(Tensor source)
    {
        NativeMethods.Check(NativeMethods.MLXTensor_set_data(Handle, source.Handle));
        GC.KeepAlive(source);
    }

    /// <summary>
    /// Registers a hook that sees (and may replace) the gradient flowing into this tensor during backward.
    /// The hook gets a gradient it must not dispose before returning; return null to keep it unchanged.
    /// Under <c>create_graph</c> the hook's own operations are recorded, so second-order gradients see them.
    /// Dispose the returned handle to turn the hook into a pass-through.
    /// </summary>
    public GradientHook RegisterHook(Func<Tensor, Tensor?> hook) => GradientHook.Register(this, hook);
}
