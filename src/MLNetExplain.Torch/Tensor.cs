using System.Runtime.InteropServices;
using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

/// <summary>
/// An n-dimensional array in libtorch memory, with autograd. Dispose it, or let a
/// <see cref="DisposeScope"/> own it: native memory is invisible to the .NET garbage collector.
/// </summary>
/// <remarks>The class is split by area like TorchSharp: factories, shape, math, autograd.</remarks>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;
    private DisposeScope? _scope;

    internal Tensor(IntPtr native)
    {
        if (native == IntPtr.Zero)
        {
            throw new ArgumentException("Null native tensor.", nameof(native));
        }

        _handle = new TensorHandle(native);
        _scope = DisposeScope.Current;
        _scope?.Add(this);
    }

    /// <summary>Whether the native tensor has been freed.</summary>
    public bool IsDisposed => _handle.IsClosed;

    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>Frees the native tensor now (other views of the same storage stay valid).</summary>
    public void Dispose()
    {
        _scope?.Remove(this);
        DisposeOwned();
    }

    internal void DisposeOwned()
    {
        _scope = null;
        _handle.Dispose();
    }

    /// <summary>Hands this tensor to the scope outside the current one (or to nobody at the outermost level).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        _ = Handle;
        _scope?.Remove(this);
        _scope = _scope?.Outer;
        _scope?.Add(this);
        return this;
    }

    /// <summary>Removes this tensor from any scope: the caller now owns it and must dispose it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        _ = Handle;
        _scope?.Remove(this);
        _scope = null;
        return this;
    }

    /// <summary>The sizes of each dimension.</summary>
    public unsafe long[] Shape
    {
        get
        {
            Span<long> sizes = stackalloc long[16];
            int ndim;
            fixed (long* p = sizes)
            {
                NativeMethods.Check(NativeMethods.MLXTensor_shape(Handle, p, sizes.Length, out ndim));
            }

            if (ndim > sizes.Length)
            {
                var large = new long[ndim];
                fixed (long* p = large)
                {
                    NativeMethods.Check(NativeMethods.MLXTensor_shape(Handle, p, ndim, out ndim));
                }

                return large;
            }

            return sizes[..ndim].ToArray();
        }
    }

    /// <summary>The number of dimensions.</summary>
    public int Dim => Shape.Length;

    /// <summary>The size of one dimension (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var shape = Shape;
        return shape[dim < 0 ? dim + shape.Length : dim];
    }

    private (ScalarType Type, Device Device, bool RequiresGrad, bool IsLeaf, long Numel) Info
    {
        get
        {
            NativeMethods.Check(NativeMethods.MLXTensor_info(Handle, out var dtype, out var deviceType,
                out var deviceIndex, out var requiresGrad, out var isLeaf, out var numel));
            return ((ScalarType)dtype, new Device((DeviceType)deviceType, deviceIndex), requiresGrad != 0, isLeaf != 0,
                numel);
        }
    }

    /// <summary>The element type.</summary>
    public ScalarType Type => Info.Type;

    /// <summary>The device holding the data.</summary>
    public Device Device => Info.Device;

    /// <summary>The number of elements.</summary>
    public long Numel => Info.Numel;

    /// <summary>Copies the elements (row-major) into <paramref name="destination"/>.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var type = Type;
        if (ScalarTypeExtensions.Of<T>() != type)
        {
            throw new ArgumentException($"Tensor holds {type}, cannot copy into {typeof(T).Name}.", nameof(destination));
        }

        fixed (T* p = destination)
        {
            NativeMethods.Check(NativeMethods.MLXTensor_copy_to(Handle, p, (long)destination.Length * sizeof(T)));
        }
    }

    /// <summary>Copies the raw element bytes (row-major, little-endian) into <paramref name="destination"/>.</summary>
    public unsafe void CopyBytes(Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            NativeMethods.Check(NativeMethods.MLXTensor_copy_to(Handle, p, destination.Length));
        }
    }

    /// <summary>Copies the elements (row-major) into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[checked((int)Numel)];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public T Item<T>() where T : unmanaged
    {
        if (Numel != 1)
        {
            throw new InvalidOperationException($"Item needs a tensor with one element; shape is [{string.Join(", ", Shape)}].");
        }

        Span<T> value = stackalloc T[1];
        CopyTo(value);
        return value[0];
    }

    /// <summary>The value of a one-element tensor of any type, converted to double.</summary>
    public double ToDouble() => Interop.Aten.Item.CallScalar(this);

    /// <summary>libtorch's printed form of the tensor.</summary>
    public override unsafe string ToString()
    {
        if (IsDisposed)
        {
            return "Tensor(disposed)";
        }

        var buffer = new byte[4096];
        int length;
        fixed (byte* p = buffer)
        {
            NativeMethods.Check(NativeMethods.MLXTensor_to_string(Handle, p, buffer.Length, out length));
        }

        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Min(length, buffer.Length - 1));
        return length >= buffer.Length ? text + "..." : text;
    }

    // A second native reference to the same tensor, for native code to own and free.
    internal IntPtr ShareNative()
    {
        NativeMethods.Check(NativeMethods.MLXTensor_share(Handle, out var shared));
        return shared;
    }

    internal static Tensor? FromNullable(IntPtr native) => native == IntPtr.Zero ? null : new Tensor(native);
}
