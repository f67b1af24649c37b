using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

/// <summary>Process-wide runtime settings and the entry points for scopes and grad modes.</summary>
public static class Torch
{
    static Torch()
    {
        // libtorch starts with one intra-op thread on some machines (half the cores); use them all.
        NativeMethods.Check(NativeMethods.MLXRuntime_set_num_threads(Environment.ProcessorCount));
    }

    /// <summary>Intra-op threads libtorch uses for one operation. Defaults to the machine's core count.</summary>
    public static int NumThreads
    {
        get => NativeMethods.MLXRuntime_get_num_threads();
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            NativeMethods.Check(NativeMethods.MLXRuntime_set_num_threads(value));
        }
    }

    /// <summary>Whether a CUDA device is usable by this libtorch build.</summary>
    public static bool IsCudaAvailable => CudaDeviceCount > 0;

    /// <summary>The number of CUDA devices (0 with a CPU-only libtorch).</summary>
    public static int CudaDeviceCount => NativeMethods.MLXRuntime_cuda_device_count();

    /// <summary>
    /// Seeds libtorch's global generators (used only where no <see cref="Generator"/> is passed, e.g. dropout).
    /// Prefer a <see cref="Generator"/> per stage for reproducibility across threads.
    /// </summary>
    public static void ManualSeed(ulong seed) => NativeMethods.Check(NativeMethods.MLXRuntime_manual_seed(seed));

    /// <summary>Opens a <see cref="DisposeScope"/> on this thread; dispose it with <c>using</c>.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Disables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Enables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>Whether operations on this thread currently record gradients.</summary>
    public static bool IsGradEnabled => NativeMethods.MLXAutograd_is_grad_enabled() != 0;

    /// <summary>
    /// libtorch's inference mode on this thread until disposed: faster than <see cref="NoGrad"/>, but
    /// tensors created inside can never take part in autograd later.
    /// </summary>
    public static InferenceModeScope InferenceMode() => new();
}
