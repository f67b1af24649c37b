namespace MLNetExplain.Torch.Interop;

/// <summary>
/// One positional argument of a boxed ATen operator call. Implicit conversions keep call sites close to
/// the ATen schema they follow, e.g. <c>Aten.Conv2d.Call(input, weight, bias, stride, padding)</c>.
/// </summary>
internal readonly struct OpArg
{
    internal readonly NativeArgKind Kind;
    internal readonly long I;
    internal readonly double D;
    internal readonly object? Ref;

    private OpArg(NativeArgKind kind, long i = 0, double d = 0, object? reference = null)
    {
        Kind = kind;
        I = i;
        D = d;
        Ref = reference;
    }

    /// <summary>Python's None: an absent optional argument.</summary>
    public static OpArg None => default;

    public static implicit operator OpArg(Tensor? t) => t is null ? None : new(NativeArgKind.Tensor, reference: t);
    public static implicit operator OpArg(long v) => new(NativeArgKind.Int, i: v);
    public static implicit operator OpArg(int v) => new(NativeArgKind.Int, i: v);
    public static implicit operator OpArg(double v) => new(NativeArgKind.Double, d: v);
    public static implicit operator OpArg(bool v) => new(NativeArgKind.Bool, i: v ? 1 : 0);
    public static implicit operator OpArg(ScalarType v) => new(NativeArgKind.Int, i: (long)v);
    public static implicit operator OpArg(long[]? v) => v is null ? None : new(NativeArgKind.IntList, reference: v);
    public static implicit operator OpArg(double[]? v) => v is null ? None : new(NativeArgKind.DoubleList, reference: v);
    public static implicit operator OpArg(Tensor[]? v) => v is null ? None : new(NativeArgKind.TensorList, reference: v);
    public static implicit operator OpArg(string? v) => v is null ? None : new(NativeArgKind.String, reference: v);
    public static implicit operator OpArg(Device v) => new(NativeArgKind.Device, i: (long)v.Type, d: v.Index);
    public static implicit operator OpArg(Generator? v) => v is null ? None : new(NativeArgKind.Generator, reference: v);

    /// <summary>A scalar type that may be absent.</summary>
    public static OpArg Optional(ScalarType? v) => v is { } t ? t : None;

    /// <summary>A device that may be absent.</summary>
    public static OpArg Optional(Device? v) => v is { } d ? d : None;

    /// <summary>A <c>Tensor?[]</c> argument (advanced indexing), where null entries mean "all".</summary>
    public static OpArg OptionalTensors(Tensor?[] v) => new(NativeArgKind.OptionalTensorList, reference: v);
}
