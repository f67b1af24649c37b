using System.Runtime.InteropServices;

namespace MLNetExplain.Torch.Interop;

/// <summary>Owns one native at::Tensor; the finaliser frees it if the owner forgot to.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.MLXTensor_free(handle);
        return true;
    }
}
