using System.Runtime.InteropServices;

namespace MLNetExplain.Torch.Interop;

/// <summary>Kinds of boxed operator arguments; mirrors ArgKind in native/mlx_ops.cpp.</summary>
internal enum NativeArgKind
{
    None = 0,
    Tensor = 1,
    Int = 2,
    Double = 3,
    Bool = 4,
    IntList = 5,
    TensorList = 6,
    String = 7,
    Device = 8,
    Generator = 9,
    DoubleList = 10,
    OptionalTensorList = 11,
}

/// <summary>One boxed argument as the native side reads it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeArg
{
    public int Kind;
    public int Count;
    public long I;
    public double D;
    public IntPtr P;
}
