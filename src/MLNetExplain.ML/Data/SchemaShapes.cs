using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Data;

/// <summary>
/// Builds <see cref="SchemaShape"/>s for <c>IEstimator.GetOutputSchema</c>. ML.NET keeps
/// <see cref="SchemaShape.Column"/>'s constructor internal (only <c>new SchemaShape(columns)</c> is public), so this
/// is the one place that fills the column's public readonly fields of a default value through
/// <see cref="Unsafe.AsRef{T}(ref readonly T)"/>: unlike deriving a column from a built-in estimator's output, it keeps
/// annotations.
/// </summary>
internal static class SchemaShapes
{
    /// <summary>
    /// <paramref name="input"/> with <paramref name="columns"/> appended; an appended column replaces an input column
    /// of the same name, as a transformer's output column hides its input column.
    /// </summary>
    public static SchemaShape Append(SchemaShape input, IEnumerable<DataViewSchema.DetachedColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(columns);
        var result = input.ToList();
        foreach (var column in columns)
        {
            var shape = Column(column);
            var existing = result.FindIndex(c => c.Name == column.Name);
            if (existing >= 0)
            {
                result[existing] = shape;
            }
            else
            {
                result.Add(shape);
            }
        }

        return new SchemaShape(result);
    }

    /// <summary>The shape of <paramref name="schema"/>'s visible columns (what ML.NET's internal SchemaShape.Create gives).</summary>
    public static SchemaShape Of(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new SchemaShape(schema.Where(c => !c.IsHidden).Select(c => Column(new DataViewSchema.DetachedColumn(c))));
    }

    /// <summary>The shape of a column of the given name, type and annotations (vector size is not part of a shape).</summary>
    public static SchemaShape.Column Column(DataViewSchema.DetachedColumn column)
    {
        var type = column.Type;
        var kind = type is VectorDataViewType vector
            ? vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector
            : SchemaShape.Column.VectorKind.Scalar;
        var item = type is VectorDataViewType v ? v.ItemType : type;
        var isKey = item is KeyDataViewType;
        // ML.NET's own SchemaShape.Create describes a key column by its raw type.
        var itemType = isKey ? RawNumberType(item.RawType) : item;
        var annotations = column.Annotations is { Schema.Count: > 0 } a
            ? new SchemaShape(a.Schema.Select(c => Column(new DataViewSchema.DetachedColumn(c.Name, c.Type, null))))
            : null;
        return Column(column.Name, kind, itemType, isKey, annotations);
    }

    private static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations)
    {
        var column = default(SchemaShape.Column);
        Unsafe.AsRef(in column.Name) = name;
        Unsafe.AsRef(in column.Kind) = kind;
        Unsafe.AsRef(in column.ItemType) = itemType;
        Unsafe.AsRef(in column.IsKey) = isKey;
        Unsafe.AsRef(in column.Annotations) = annotations ?? new SchemaShape([]);
        return column;
    }

    private static DataViewType RawNumberType(Type raw) =>
        raw == typeof(byte) ? NumberDataViewType.Byte
        : raw == typeof(ushort) ? NumberDataViewType.UInt16
        : raw == typeof(uint) ? NumberDataViewType.UInt32
        : NumberDataViewType.UInt64;
}
