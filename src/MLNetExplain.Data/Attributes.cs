namespace MLNetExplain.Data;

/// <summary>Names the data-view column a field or property maps to (ML.NET's [ColumnName]).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = name;
}

/// <summary>Declares an array member a vector column with a fixed shape (ML.NET's [VectorType]); no dims means variable length.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class VectorTypeAttribute(params int[] dimensions) : Attribute
{
    /// <summary>The shape, e.g. 1, 28, 28.</summary>
    public int[] Dimensions { get; } = dimensions;
}

/// <summary>Declares a uint member a key column with <see cref="Count"/> categories, values 1..Count (ML.NET's [KeyType]).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class KeyTypeAttribute(ulong count) : Attribute
{
    /// <summary>The number of categories.</summary>
    public ulong Count { get; } = count;
}

/// <summary>Excludes a member from the schema (ML.NET's [NoColumn]).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class NoColumnAttribute : Attribute;
