using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// The column annotation "ImageShape": an Int32 vector with a map's dimensions [C, H, W], so consumers (heatmap
/// images, evaluations) read the layout of a flat Single vector without guessing.
/// </summary>
public static class ImageShapeAnnotation
{
    /// <summary>The annotation's name.</summary>
    public const string Name = "ImageShape";

    /// <summary>The dimensions a column declares in its "ImageShape" annotation, or null when it has none.</summary>
    /// <param name="column">A column of a schema.</param>
    public static int[]? GetImageShape(this DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(Name);
        if (annotation is not { Type: VectorDataViewType { ItemType: var item } } || item != NumberDataViewType.Int32)
        {
            return null;
        }

        VBuffer<int> values = default;
        column.Annotations.GetValue(Name, ref values);
        return values.DenseValues().ToArray();
    }

    /// <summary>Adds the annotation for <paramref name="dimensions"/> to <paramref name="builder"/>.</summary>
    internal static void Add(DataViewSchema.Annotations.Builder builder, int[] dimensions)
    {
        var values = new VBuffer<int>(dimensions.Length, (int[])dimensions.Clone());
        builder.Add(Name, new VectorDataViewType(NumberDataViewType.Int32, dimensions.Length),
            (ValueGetter<VBuffer<int>>)((ref VBuffer<int> dst) => values.CopyTo(ref dst)));
    }
}
