namespace MLNetExplain.Torch;

/// <summary>Element types of a tensor. Values are libtorch's c10::ScalarType codes.</summary>
public enum ScalarType
{
    /// <summary>8-bit unsigned integer (images).</summary>
    UInt8 = 0,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 3,
    /// <summary>64-bit signed integer (class indices, shapes).</summary>
    Int64 = 4,
    /// <summary>32-bit float, the default for models.</summary>
    Float32 = 6,
    /// <summary>64-bit float, for finite-difference checks.</summary>
    Float64 = 7,
    /// <summary>Complex with 32-bit float parts (FFT results).</summary>
    ComplexFloat32 = 9,
    /// <summary>Boolean masks.</summary>
    Bool = 11,
}

internal static class ScalarTypeExtensions
{
    internal static int ElementSize(this ScalarType type) => type switch
    {
        ScalarType.UInt8 or ScalarType.Bool => 1,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        _ => throw new NotSupportedException($"Unsupported scalar type {type}."),
    };

    internal static ScalarType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(byte) ? ScalarType.UInt8
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : throw new NotSupportedException($"No tensor element type for {typeof(T).Name}.");
}
