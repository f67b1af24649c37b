using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

/// <summary>
/// Sets libtorch's per-thread grad mode for its lifetime and restores the previous mode on dispose.
/// Must be disposed on the opening thread: libtorch's grad mode is thread-local, so an <c>await</c>
/// inside the scope could silently lose it. The check turns that mistake into an exception.
/// </summary>
public sealed class GradModeScope : IDisposable
{
    private readonly bool _previous;
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _disposed;

    internal GradModeScope(bool enabled)
    {
        _previous = NativeMethods.MLXAutograd_is_grad_enabled() != 0;
        NativeMethods.MLXAutograd_set_grad_enabled(enabled ? 1 : 0);
    }

    /// <summary>Restores the grad mode that was in force when the scope opened.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException(
                "A grad-mode scope must be disposed on the thread that opened it (was there an await inside it?).");
        }

        _disposed = true;
        NativeMethods.MLXAutograd_set_grad_enabled(_previous ? 1 : 0);
    }
}

/// <summary>Holds libtorch's inference-mode guard; dispose on the opening thread.</summary>
public sealed class InferenceModeScope : IDisposable
{
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private IntPtr _guard;

    internal InferenceModeScope() => NativeMethods.Check(NativeMethods.MLXAutograd_inference_mode_enter(out _guard));

    /// <summary>Leaves inference mode.</summary>
    public void Dispose()
    {
        if (_guard == IntPtr.Zero)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("An inference-mode scope must be disposed on the thread that opened it.");
        }

        NativeMethods.MLXAutograd_inference_mode_exit(_guard);
        _guard = IntPtr.Zero;
    }
}
