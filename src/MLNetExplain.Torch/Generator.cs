using System.Runtime.InteropServices;
using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

/// <summary>
/// A private random stream (libtorch's CPU generator). Every stochastic stage owns one made from its seed,
/// so results depend on the seed alone, not on which thread ran first or what else drew random numbers.
/// Random tensors for a CUDA device are drawn on the CPU and copied, so a seed gives the same values on any device.
/// </summary>
public sealed class Generator : IDisposable
{
    private readonly GeneratorHandle _handle;

    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed)
    {
        NativeMethods.Check(NativeMethods.MLXGenerator_new(seed, out var h));
        _handle = new GeneratorHandle(h);
        Seed = seed;
    }

    /// <summary>The seed the stream was last reset to.</summary>
    public ulong Seed { get; private set; }

    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>Restarts the stream from <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        NativeMethods.Check(NativeMethods.MLXGenerator_set_seed(Handle, seed));
        Seed = seed;
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private sealed class GeneratorHandle : SafeHandle
    {
        public GeneratorHandle(IntPtr h) : base(IntPtr.Zero, true) => SetHandle(h);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.MLXGenerator_free(handle);
            return true;
        }
    }
}
