using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// Reads an ML.NET image classification data view into tensors for the tensor-level trainers: a
/// <c>Vector&lt;Single, C, H, W&gt;</c> feature column and a key-typed label column.
/// </summary>
internal static class TrainingData
{
    /// <summary>The [C, H, W] shape of a feature column, or an exception naming the column and what it needs.</summary>
    public static int[] ImageShape(DataViewSchema schema, string column, string stage)
    {
        var col = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(column), $"{stage}: input column '{column}' not found; expected a Vector<Single, C, H, W> of pixels in [0, 1].");
        return ImageShape(col.Type, column, stage);
    }

    /// <inheritdoc cref="ImageShape(DataViewSchema, string, string)"/>
    public static int[] ImageShape(DataViewType type, string column, string stage)
    {
        if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single || !vector.IsKnownSize)
        {
            throw new ArgumentException($"{stage}: column '{column}' has type {type}; expected a known-size Vector<Single, C, H, W> of pixels in [0, 1] (e.g. ExtractPixels(scaleImage: 1f / 255)).");
        }

        var dims = vector.Dimensions;
        if (dims.Length == 3)
        {
            return [dims[0], dims[1], dims[2]];
        }

        throw new ArgumentException($"{stage}: column '{column}' is a vector with dimensions [{string.Join(", ", dims)}]; expected three dimensions [C, H, W] (ImageAnalytics' ExtractPixels and MLNetExplain's loaders give them).");
    }

    /// <summary>The class count of a key-typed label column, or an exception naming the column.</summary>
    public static int ClassCount(DataViewSchema schema, string column, string stage)
    {
        var col = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(column), $"{stage}: label column '{column}' not found; expected a key column (use MapValueToKey).");
        if (col.Type is not KeyDataViewType key || key.RawType != typeof(uint))
        {
            throw new ArgumentException($"{stage}: label column '{column}' has type {col.Type}; expected a key type over UInt32 (use MapValueToKey).");
        }

        return checked((int)key.Count);
    }

    /// <summary>The class names of a key label column (its key values), or null when it has none.</summary>
    public static string[]? ClassNames(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(AnnotationUtilsKeyValues) is null)
        {
            return null;
        }

        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }

    private const string AnnotationUtilsKeyValues = "KeyValues";

    /// <summary>
    /// All rows' images as float32 [N, C, H, W] and labels as int64 [N] (0-based; key 0, the missing value, is
    /// refused with the row number). NaN pixels are refused too, before any tensor is made.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Read(IDataView data, string featureColumn, string labelColumn, string stage, CancellationToken cancellationToken = default)
    {
        var shape = ImageShape(data.Schema, featureColumn, stage);
        int classes = ClassCount(data.Schema, labelColumn, stage);
        int size = shape[0] * shape[1] * shape[2];
        var pixels = new List<float>(checked((int)Math.Min(data.GetRowCount() ?? 0, int.MaxValue / Math.Max(size, 1)) * size));
        var labels = new List<long>();
        var features = data.Schema[featureColumn];
        var label = data.Schema[labelColumn];
        using (var cursor = data.GetRowCursor([features, label]))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            var getLabel = cursor.GetGetter<uint>(label);
            VBuffer<float> buffer = default;
            uint key = 0;
            long row = 0;
            while (cursor.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                getFeatures(ref buffer);
                getLabel(ref key);
                if (key == 0 || key > classes)
                {
                    throw new InvalidDataException($"{stage}: row {row} has a missing or out-of-range key in label column '{labelColumn}' ({key}; expected 1..{classes}).");
                }

                if (buffer.Length != size)
                {
                    throw new InvalidDataException($"{stage}: row {row} of column '{featureColumn}' has {buffer.Length} values; expected {size} ([{string.Join(", ", shape)}]).");
                }

                foreach (float v in buffer.DenseValues())
                {
                    if (float.IsNaN(v) || float.IsInfinity(v))
                    {
                        throw new InvalidDataException($"{stage}: row {row} of column '{featureColumn}' holds a NaN or infinite pixel.");
                    }

                    pixels.Add(v);
                }

                labels.Add(key - 1);
                row++;
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{stage}: the training data has no rows.");
        }

        var images = tensor(pixels.ToArray(), [labels.Count, shape[0], shape[1], shape[2]]);
        return (images, tensor(labels.ToArray()));
    }
}
