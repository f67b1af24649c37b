namespace MLNetExplain.Data;

/// <summary>
/// A vector value read from a data view (ML.NET's VBuffer, dense only: images and heatmaps are dense).
/// Getters reuse the array of the buffer passed to them, so a loop over rows allocates nothing once warm.
/// </summary>
public readonly struct VBuffer<T>
{
    private readonly T[]? _values;

    /// <summary>Wraps the first <paramref name="length"/> elements of <paramref name="values"/> (not copied).</summary>
    public VBuffer(int length, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, values.Length);
        Length = length;
        _values = values;
    }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The elements.</summary>
    public ReadOnlySpan<T> GetValues() => _values is null ? default : _values.AsSpan(0, Length);

    /// <summary>A new array with the elements.</summary>
    public T[] ToArray() => GetValues().ToArray();

    /// <summary>
    /// Returns a writable span of <paramref name="length"/> elements backed by <paramref name="destination"/>'s
    /// array when it is large enough (else a new one), and makes <paramref name="destination"/> that vector.
    /// </summary>
    public static Span<T> Edit(ref VBuffer<T> destination, int length)
    {
        var array = destination._values is { } a && a.Length >= length ? a : new T[length];
        destination = new VBuffer<T>(length, array);
        return array.AsSpan(0, length);
    }
}
