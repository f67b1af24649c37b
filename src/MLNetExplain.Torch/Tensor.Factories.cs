using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

public sealed partial class Tensor
{
    /// <summary>Creates a tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        long count = 1;
        foreach (var s in shape)
        {
            if (s < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has a negative size.", nameof(shape));
            }

            count *= s;
        }

        if (count != data.Length)
        {
            throw new ArgumentException(
                $"Shape [{string.Join(", ", shape.ToArray())}] needs {count} elements, data has {data.Length}.", nameof(data));
        }

        IntPtr result;
        fixed (T* pd = data)
        fixed (long* ps = shape)
        {
            NativeMethods.Check(NativeMethods.MLXTensor_from_data(pd, ps, shape.Length,
                (int)ScalarTypeExtensions.Of<T>(), out result));
        }

        return new Tensor(result);
    }

    /// <summary>Creates a tensor of <paramref name="type"/> from raw little-endian bytes.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, ReadOnlySpan<long> shape, ScalarType type)
    {
        long count = 1;
        foreach (var s in shape)
        {
            count *= s;
        }

        if (count * type.ElementSize() != bytes.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] of {type} needs " +
                $"{count * type.ElementSize()} bytes, got {bytes.Length}.", nameof(bytes));
        }

        IntPtr result;
        fixed (byte* pd = bytes)
        fixed (long* ps = shape)
        {
            NativeMethods.Check(NativeMethods.MLXTensor_from_data(pd, ps, shape.Length, (int)type, out result));
        }

        return new Tensor(result);
    }

    /// <summary>Creates a tensor from an array; the shape defaults to one dimension.</summary>
    public static Tensor From<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);

    /// <summary>A tensor holding one value (zero dimensions).</summary>
    public static Tensor Scalar(double value, ScalarType type = ScalarType.Float32) =>
        Full([], value, type);

    /// <summary>An uninitialised tensor (contents are whatever the memory held).</summary>
    public static Tensor Empty(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Aten.Empty.Call(shape, type, OpArg.None, OpArg.Optional(device));

    /// <summary>A tensor filled with zeros.</summary>
    public static Tensor Zeros(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Aten.Zeros.Call(shape, type, OpArg.None, OpArg.Optional(device));

    /// <summary>A tensor filled with ones.</summary>
    public static Tensor Ones(long[] shape, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Aten.Ones.Call(shape, type, OpArg.None, OpArg.Optional(device));

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Aten.Full.Call(shape, value, type, OpArg.None, OpArg.Optional(device));

    /// <summary>Values start, start+step, ... below end (like torch.arange).</summary>
    public static Tensor Arange(double start, double end, double step = 1, ScalarType type = ScalarType.Int64,
        Device? device = null) => Aten.Arange.Call(start, end, step, type, OpArg.None, OpArg.Optional(device));

    /// <summary>Integers 0, 1, ..., end-1.</summary>
    public static Tensor Arange(long end, Device? device = null) => Arange(0, end, 1, ScalarType.Int64, device);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end inclusive.</summary>
    public static Tensor Linspace(double start, double end, long steps, ScalarType type = ScalarType.Float32,
        Device? device = null) => Aten.Linspace.Call(start, end, steps, type, OpArg.None, OpArg.Optional(device));

    /// <summary>Uniform values in [0, 1).</summary>
    public static Tensor Rand(long[] shape, Generator? generator = null, ScalarType type = ScalarType.Float32,
        Device? device = null) =>
        Random(shape, type, device, generator, (t, g) => Aten.Uniform_.CallInPlace(t, t, 0.0, 1.0, g));

    /// <summary>Standard normal values.</summary>
    public static Tensor Randn(long[] shape, Generator? generator = null, ScalarType type = ScalarType.Float32,
        Device? device = null) =>
        Random(shape, type, device, generator, (t, g) => Aten.Normal_.CallInPlace(t, t, 0.0, 1.0, g));

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor Randint(long low, long high, long[] shape, Generator? generator = null,
        ScalarType type = ScalarType.Int64, Device? device = null) =>
        Random(shape, type, device, generator, (t, g) => Aten.Random_.CallInPlace(t, t, low, high, g));

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor Randperm(long n, Generator? generator = null, Device? device = null)
    {
        var cpu = Aten.RandPerm.Call(n, generator, ScalarType.Int64);
        return OnDevice(cpu, device);
    }

    /// <summary>Zeros with this tensor's shape, type and device.</summary>
    public Tensor ZerosLike() => Aten.ZerosLike.Call(this);

    /// <summary>Ones with this tensor's shape, type and device.</summary>
    public Tensor OnesLike() => Aten.OnesLike.Call(this);

    /// <summary>A constant with this tensor's shape, type and device.</summary>
    public Tensor FullLike(double value) => Aten.FullLike.Call(this, value);

    /// <summary>Uniform [0, 1) values with this tensor's shape, type and device.</summary>
    public Tensor RandLike(Generator? generator = null) => Rand(Shape, generator, Type, Device);

    /// <summary>Standard normal values with this tensor's shape, type and device.</summary>
    public Tensor RandnLike(Generator? generator = null) => Randn(Shape, generator, Type, Device);

    // Draws on the CPU when a private generator is given (libtorch generators are per device), then moves.
    private static Tensor Random(long[] shape, ScalarType type, Device? device, Generator? generator,
        Func<Tensor, Generator?, Tensor> fill)
    {
        var onCpu = generator is not null || device is null || device.Value.Type == DeviceType.Cpu;
        var t = Empty(shape, type, onCpu ? null : device);
        fill(t, generator);
        return onCpu ? OnDevice(t, device) : t;
    }

    private static Tensor OnDevice(Tensor cpu, Device? device)
    {
        if (device is null || device.Value.Type == DeviceType.Cpu)
        {
            return cpu;
        }

        using (cpu)
        {
            return cpu.To(device.Value);
        }
    }
}
