using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Data;

/// <summary>
/// Builds <see cref="SchemaShape"/> columns for our estimators' <c>GetOutputSchema</c>, which ML.NET does not let
/// third parties do: <c>SchemaShape.Column</c>'s constructor, <c>SchemaShape.Create</c> and <c>TryFindColumn</c> are
/// internal (only <c>new SchemaShape(columns)</c> is public).
/// </summary>
/// <remarks>
/// The one workaround in the code base lives here. A column starts as <c>default(SchemaShape.Column)</c> and its
/// public readonly fields are set through <see cref="Unsafe.AsRef{T}(ref readonly T)"/>: unlike deriving a column from
/// a built-in estimator's output, this keeps annotations. The checks ML.NET's own constructor makes are repeated, so a
/// column made here is one ML.NET could have made. If a later ML.NET makes the constructor public, only this file
/// changes.
/// </remarks>
internal static class SchemaShapes
{
    private static readonly SchemaShape NoAnnotations = new([]);

    /// <summary>A column as ML.NET's internal constructor would make it.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="kind">Scalar, known-size vector or variable-size vector.</param>
    /// <param name="itemType">The item type: not a vector type, and for keys the key's raw type (e.g. UInt32).</param>
    /// <param name="isKey">Whether the items are keys.</param>
    /// <param name="annotations">The annotation columns, or none.</param>
    public static SchemaShape.Column Column(
        string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(itemType);
        if (itemType is KeyDataViewType or VectorDataViewType)
        {
            throw new ArgumentException(
                $"The item type of column '{name}' must be a scalar type (a key's raw type for keys), not {itemType}.", nameof(itemType));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown vector kind.");
        }

        var column = default(SchemaShape.Column);
        Unsafe.AsRef(in column.Name) = name;
        Unsafe.AsRef(in column.Kind) = kind;
        Unsafe.AsRef(in column.ItemType) = itemType;
        Unsafe.AsRef(in column.IsKey) = isKey;
        Unsafe.AsRef(in column.Annotations) = annotations ?? NoAnnotations;
        return column;
    }

    /// <summary>A scalar column of the given type; a <see cref="KeyDataViewType"/> becomes a key column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="type">A scalar type, e.g. <c>ImageDataViewType</c>.</param>
    public static SchemaShape.Column Scalar(string name, DataViewType type) => type switch
    {
        VectorDataViewType => throw new ArgumentException($"Column '{name}' is a vector, not a scalar.", nameof(type)),
        KeyDataViewType key => Column(name, SchemaShape.Column.VectorKind.Scalar, RawNumberType(key.RawType), isKey: true),
        _ => Column(name, SchemaShape.Column.VectorKind.Scalar, type, isKey: false),
    };

    /// <summary>The last column called <paramref name="name"/> (later columns hide earlier ones, as in ML.NET).</summary>
    /// <param name="shape">The shape to search.</param>
    /// <param name="name">Column name.</param>
    /// <param name="column">The column, when found.</param>
    public static bool TryFind(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        ArgumentNullException.ThrowIfNull(shape);
        for (int i = shape.Count - 1; i >= 0; i--)
        {
            if (shape[i].Name == name)
            {
                column = shape[i];
                return true;
            }
        }

        column = default;
        return false;
    }

    /// <summary>The shape with <paramref name="column"/> added, replacing any column of the same name in place.</summary>
    /// <param name="shape">The input shape.</param>
    /// <param name="column">The new column.</param>
    public static SchemaShape With(SchemaShape shape, SchemaShape.Column column)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var columns = new List<SchemaShape.Column>(shape.Count + 1);
        bool replaced = false;
        foreach (SchemaShape.Column existing in shape)
        {
            if (existing.Name == column.Name)
            {
                columns.Add(column);
                replaced = true;
            }
            else
            {
                columns.Add(existing);
            }
        }

        if (!replaced)
        {
            columns.Add(column);
        }

        return new SchemaShape(columns);
    }

    private static DataViewType RawNumberType(Type raw) =>
        raw == typeof(byte) ? NumberDataViewType.Byte
        : raw == typeof(ushort) ? NumberDataViewType.UInt16
        : raw == typeof(uint) ? NumberDataViewType.UInt32
        : raw == typeof(ulong) ? NumberDataViewType.UInt64
        : throw new ArgumentException($"{raw.Name} is not a key raw type.", nameof(raw));
}
