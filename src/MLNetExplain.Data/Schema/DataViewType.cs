namespace MLNetExplain.Data;

/// <summary>The type of a data-view column (ML.NET's DataViewType); <see cref="RawType"/> is what getters produce.</summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    /// <summary>Creates a type whose getters produce <paramref name="rawType"/>.</summary>
    protected DataViewType(Type rawType) => RawType = rawType;

    /// <summary>The .NET type of values: float, double, int, long, byte, bool, string, uint (keys) or VBuffer&lt;T&gt;.</summary>
    public Type RawType { get; }

    /// <inheritdoc />
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>The type as ML.NET prints it, e.g. "Vector&lt;Single, 1, 28, 28&gt;".</summary>
    public abstract override string ToString();
}

/// <summary>A scalar type (numbers, booleans, text, keys).</summary>
public abstract class PrimitiveDataViewType(Type rawType) : DataViewType(rawType);

/// <summary>Numeric scalar types.</summary>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private NumberDataViewType(Type rawType, string name) : base(rawType) => Name = name;

    /// <summary>32-bit float.</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float), "Single");
    /// <summary>64-bit float.</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double), "Double");
    /// <summary>32-bit signed integer.</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int), "Int32");
    /// <summary>64-bit signed integer.</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long), "Int64");
    /// <summary>8-bit unsigned integer (raw pixels).</summary>
    public static NumberDataViewType Byte { get; } = new(typeof(byte), "Byte");

    /// <summary>The type's name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Booleans.</summary>
public sealed class BooleanDataViewType : PrimitiveDataViewType
{
    private BooleanDataViewType() : base(typeof(bool))
    {
    }

    /// <summary>The single instance.</summary>
    public static BooleanDataViewType Instance { get; } = new();

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => "Boolean";
}

/// <summary>Text. Values are <see cref="string"/> (ML.NET uses ReadOnlyMemory&lt;char&gt;; an adapter converts).</summary>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType() : base(typeof(string))
    {
    }

    /// <summary>The single instance.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => "Text";
}

/// <summary>
/// A categorical value such as a class label (ML.NET's KeyDataViewType): raw values are uint, 1..Count,
/// with 0 meaning missing. Class names travel in the column's KeyValues annotation.
/// </summary>
public sealed class KeyDataViewType : PrimitiveDataViewType
{
    /// <summary>Creates a key type with <paramref name="count"/> categories.</summary>
    public KeyDataViewType(ulong count) : base(typeof(uint))
    {
        ArgumentOutOfRangeException.ThrowIfZero(count);
        Count = count;
    }

    /// <summary>The number of categories.</summary>
    public ulong Count { get; }

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RawType, Count);

    /// <inheritdoc />
    public override string ToString() => $"Key<UInt32, 0-{Count - 1}>";
}

/// <summary>
/// A vector of a primitive type with a shape (ML.NET's VectorDataViewType): fixed size when every dimension is
/// positive (e.g. 1, 28, 28 for a gray image in CHW order), variable length when the dimensions are empty or 0.
/// Values are <see cref="VBuffer{T}"/>.
/// </summary>
public sealed class VectorDataViewType : DataViewType
{
    /// <summary>Creates a vector type of <paramref name="itemType"/> with the given dimensions.</summary>
    public VectorDataViewType(PrimitiveDataViewType itemType, params int[] dimensions)
        : base(typeof(VBuffer<>).MakeGenericType((itemType ?? throw new ArgumentNullException(nameof(itemType))).RawType))
    {
        ItemType = itemType;
        if (dimensions.Any(d => d < 0))
        {
            throw new ArgumentException("Vector dimensions cannot be negative.", nameof(dimensions));
        }

        int[] dims = dimensions.Length == 1 && dimensions[0] == 0 ? [] : [.. dimensions];
        Dimensions = dims;
        Size = dims.Length == 0 || dims.Contains(0) ? 0 : dims.Aggregate(1, (a, b) => checked(a * b));
    }

    /// <summary>The element type.</summary>
    public PrimitiveDataViewType ItemType { get; }

    /// <summary>The shape; empty for variable length.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The number of elements, or 0 for variable length.</summary>
    public int Size { get; }

    /// <summary>Whether every row has the same length.</summary>
    public bool IsKnownSize => Size > 0;

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) =>
        other is VectorDataViewType v && v.ItemType.Equals(ItemType) && v.Dimensions.SequenceEqual(Dimensions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ItemType, Size);

    /// <inheritdoc />
    public override string ToString() => IsKnownSize ? $"Vector<{ItemType}, {string.Join(", ", Dimensions)}>" : $"Vector<{ItemType}>";
}
