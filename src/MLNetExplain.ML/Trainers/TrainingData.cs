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

    /// <summary>Checks, before fitting, that <paramref name="column"/> is a scalar key column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is missing or not a scalar key.</exception>
    public static void CheckLabel(SchemaShape inputSchema, string column, string stage)
    {
        var label = inputSchema.FirstOrDefault(c => c.Name == column);
        if (label.Name is null || !label.IsKey || label.Kind != SchemaShape.Column.VectorKind.Scalar)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{stage}: label column '{column}' " +
                (label.Name is null ? "not found" : "is not a scalar key") + "; expected a key column (use MapValueToKey).");
        }
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

    /// <summary>
    /// The class names of a key label column: its key values as text (MapValueToKey over numbers gives numeric key
    /// values), or null when it has none.
    /// </summary>
    public static string[]? ClassNames(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(AnnotationUtilsKeyValues);
        if (annotation?.Type is not VectorDataViewType { ItemType: var item })
        {
            return null;
        }

        return (string[])typeof(TrainingData).GetMethod(nameof(KeyValueNames), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(item.RawType).Invoke(null, [column])!;
    }

    private static string[] KeyValueNames<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }

    private const string AnnotationUtilsKeyValues = "KeyValues";

    /// <summary>
    /// All rows' images as float32 [N, C, H, W] and labels as int64 [N] (0-based; key 0, the missing value, is
    /// refused with the row number). NaN pixels are refused too, before any tensor is made.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Read(IDataView data, string featureColumn, string labelColumn, string stage, CancellationToken cancellationToken = default)
    {
        var (images, labels, _) = Read(data, featureColumn, labelColumn, stage, cancellationToken, null);
        return (images, labels);
    }

    /// <summary>
    /// As <see cref="Read(IDataView, string, string, string, CancellationToken)"/>, in the same pass also reading
    /// <paramref name="targetColumn"/> (a <c>Vector&lt;Single, C', H, W&gt;</c> such as robust attributions) when given.
    /// </summary>
    public static (Tensor Images, Tensor Labels, Tensor? Targets) Read(IDataView data, string featureColumn, string labelColumn, string stage,
        CancellationToken cancellationToken, string? targetColumn)
    {
        var shape = ImageShape(data.Schema, featureColumn, stage);
        var targetShape = targetColumn is null ? null : ImageShape(data.Schema, targetColumn, stage);
        int classes = ClassCount(data.Schema, labelColumn, stage);
        var images = new VectorReader(featureColumn, shape, stage);
        var targets = targetColumn is null ? null : new VectorReader(targetColumn, targetShape!, stage);
        var labels = new List<long>();
        var label = data.Schema[labelColumn];
        var columns = new List<DataViewSchema.Column> { data.Schema[featureColumn], label };
        if (targetColumn is not null)
        {
            columns.Add(data.Schema[targetColumn]);
        }

        using (var cursor = data.GetRowCursor(columns))
        {
            images.Bind(cursor);
            targets?.Bind(cursor);
            var getLabel = cursor.GetGetter<uint>(label);
            uint key = 0;
            long row = 0;
            while (cursor.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                getLabel(ref key);
                if (key == 0 || key > classes)
                {
                    throw new InvalidDataException($"{stage}: row {row} has a missing or out-of-range key in label column '{labelColumn}' ({key}; expected 1..{classes}).");
                }

                images.ReadRow(row);
                targets?.ReadRow(row);
                labels.Add(key - 1);
                row++;
            }
        }

        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{stage}: the training data has no rows.");
        }

        return (images.ToTensor(labels.Count), tensor(labels.ToArray()), targets?.ToTensor(labels.Count));
    }

    /// <summary>Collects one float vector column of every row, checking sizes and finiteness.</summary>
    private sealed class VectorReader(string column, int[] shape, string stage)
    {
        private readonly int _size = shape[0] * shape[1] * shape[2];
        private readonly List<float> _values = [];
        private ValueGetter<VBuffer<float>>? _getter;
        private VBuffer<float> _buffer;

        public void Bind(DataViewRowCursor cursor) => _getter = cursor.GetGetter<VBuffer<float>>(cursor.Schema[column]);

        public void ReadRow(long row)
        {
            _getter!(ref _buffer);
            if (_buffer.Length != _size)
            {
                throw new InvalidDataException($"{stage}: row {row} of column '{column}' has {_buffer.Length} values; expected {_size} ([{string.Join(", ", shape)}]).");
            }

            foreach (float v in _buffer.DenseValues())
            {
                if (!float.IsFinite(v))
                {
                    throw new InvalidDataException($"{stage}: row {row} of column '{column}' holds a NaN or infinite value.");
                }

                _values.Add(v);
            }
        }

        public Tensor ToTensor(int rows) => tensor(_values.ToArray(), [rows, shape[0], shape[1], shape[2]]);
    }
}
