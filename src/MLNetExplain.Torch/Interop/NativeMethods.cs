using System.Runtime.InteropServices;

namespace MLNetExplain.Torch.Interop;

/// <summary>The flat C API of the native shim (native/*.cpp); one region per native file.</summary>
internal static unsafe partial class NativeMethods
{
    private const string Lib = "mlx_torch";

    [LibraryImport(Lib)] internal static partial IntPtr MLX_last_error();

    // mlx_ops.cpp
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MLXOp_find(string name, string overload, out IntPtr handle);
    [LibraryImport(Lib)]
    internal static partial int MLXOp_call(IntPtr op, NativeArg* args, int nargs, IntPtr* outs, int maxOuts,
        out int nOuts, out double scalarOut, out long intOut);

    // mlx_tensor.cpp
    [LibraryImport(Lib)] internal static partial void MLXTensor_free(IntPtr t);
    [LibraryImport(Lib)]
    internal static partial int MLXTensor_from_data(void* data, long* shape, int ndim, int dtype, out IntPtr result);
    [LibraryImport(Lib)] internal static partial int MLXTensor_copy_to(IntPtr t, void* dst, long capacity);
    [LibraryImport(Lib)] internal static partial int MLXTensor_shape(IntPtr t, long* sizes, int capacity, out int ndim);
    [LibraryImport(Lib)]
    internal static partial int MLXTensor_info(IntPtr t, out int dtype, out int deviceType, out int deviceIndex,
        out int requiresGrad, out int isLeaf, out long numel);
    [LibraryImport(Lib)] internal static partial int MLXTensor_set_requires_grad(IntPtr t, int value);
    [LibraryImport(Lib)] internal static partial int MLXTensor_grad(IntPtr t, out IntPtr grad);
    [LibraryImport(Lib)] internal static partial int MLXTensor_set_grad(IntPtr t, IntPtr grad);
    [LibraryImport(Lib)] internal static partial int MLXTensor_retain_grad(IntPtr t);
    [LibraryImport(Lib)] internal static partial int MLXTensor_share(IntPtr t, out IntPtr shared);
    [LibraryImport(Lib)] internal static partial int MLXTensor_set_data(IntPtr dst, IntPtr src);
    [LibraryImport(Lib)]
    internal static partial int MLXTensor_to_string(IntPtr t, byte* buffer, int capacity, out int length);

    // mlx_autograd.cpp
    [LibraryImport(Lib)]
    internal static partial int MLXAutograd_backward(IntPtr* tensors, int n, IntPtr* gradTensors, int retainGraph,
        int createGraph);
    [LibraryImport(Lib)]
    internal static partial int MLXAutograd_grad(IntPtr* outputs, int nOutputs, IntPtr* inputs, int nInputs,
        IntPtr* gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);
    [LibraryImport(Lib)] internal static partial int MLXAutograd_is_grad_enabled();
    [LibraryImport(Lib)] internal static partial void MLXAutograd_set_grad_enabled(int enabled);
    [LibraryImport(Lib)] internal static partial int MLXAutograd_inference_mode_enter(out IntPtr guard);
    [LibraryImport(Lib)] internal static partial void MLXAutograd_inference_mode_exit(IntPtr guard);
    [LibraryImport(Lib)]
    internal static partial int MLXTensor_register_hook(IntPtr t,
        delegate* unmanaged<long, IntPtr, IntPtr*, byte*, int, int> callback, delegate* unmanaged<long, void> release,
        long key);

    // mlx_runtime.cpp
    [LibraryImport(Lib)] internal static partial int MLXRuntime_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int MLXRuntime_get_num_threads();
    [LibraryImport(Lib)] internal static partial int MLXRuntime_manual_seed(ulong seed);
    [LibraryImport(Lib)] internal static partial int MLXRuntime_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int MLXGenerator_new(ulong seed, out IntPtr generator);
    [LibraryImport(Lib)] internal static partial void MLXGenerator_free(IntPtr generator);
    [LibraryImport(Lib)] internal static partial int MLXGenerator_set_seed(IntPtr generator, ulong seed);

    /// <summary>Throws <see cref="TorchException"/> with libtorch's message when a call reported failure.</summary>
    internal static void Check(int status)
    {
        if (status != 0)
        {
            throw new TorchException(Marshal.PtrToStringUTF8(MLX_last_error()) ?? "unknown native error");
        }
    }
}
