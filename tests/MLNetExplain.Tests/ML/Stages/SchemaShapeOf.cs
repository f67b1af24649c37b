using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Data;

namespace MLNetExplain.Tests.ML.Stages;

/// <summary>A schema's shape, as ML.NET's internal SchemaShape.Create gives it to estimators in a chain.</summary>
internal static class SchemaShapeOf
{
    public static SchemaShape Schema(DataViewSchema schema) =>
        new(schema.Where(c => !c.IsHidden).Select(c => Column(c.Name, c.Type, c.Annotations.Schema)));

    private static SchemaShape.Column Column(string name, DataViewType type, DataViewSchema? annotations)
    {
        var kind = type is VectorDataViewType vector
            ? vector.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector
            : SchemaShape.Column.VectorKind.Scalar;
        var item = type is VectorDataViewType v ? v.ItemType : type;
        var annotationShape = annotations is null ? null : new SchemaShape(annotations.Select(a => Column(a.Name, a.Type, null)));
        return item is KeyDataViewType key
            ? SchemaShapes.Column(name, kind, key.RawType == typeof(uint) ? NumberDataViewType.UInt32 : NumberDataViewType.UInt64, true, annotationShape)
            : SchemaShapes.Column(name, kind, item, false, annotationShape);
    }
}
