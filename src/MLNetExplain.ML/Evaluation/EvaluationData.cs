using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Trainers;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Evaluation;

/// <summary>
/// Reads the columns a faithfulness metric needs from a data view in one cursor pass: an image column and an
/// optional attribution column (known-size <c>Vector&lt;Single, C, H, W&gt;</c>) and an optional key label column.
/// </summary>
internal static class EvaluationData
{
    /// <summary>Images float32 [N, C, H, W], maps float32 [N, C', H, W] (or null) and 0-based int64 labels [N] (or null).</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or maps do not match the images' height and width.</exception>
    /// <exception cref="InvalidDataException">A row has a missing key label, or the view has no rows.</exception>
    public static (Tensor Images, Tensor? Maps, Tensor? Labels) Read(IDataView data, string featureColumnName, string? attributionColumnName,
        string? labelColumnName, string stage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = TrainingData.ImageShape(data.Schema, featureColumnName, stage);
        int[]? mapShape = null;
        if (attributionColumnName is not null)
        {
            mapShape = TrainingData.ImageShape(data.Schema, attributionColumnName, stage);
            if (mapShape[1] != shape[1] || mapShape[2] != shape[2])
            {
                throw new ArgumentException($"{stage}: attribution column '{attributionColumnName}' is [{string.Join(", ", mapShape)}]; expected maps at the image size [C', {shape[1]}, {shape[2]}].", nameof(attributionColumnName));
            }
        }

        int classes = labelColumnName is null ? 0 : TrainingData.ClassCount(data.Schema, labelColumnName, stage);
        var columns = new List<DataViewSchema.Column> { data.Schema[featureColumnName] };
        if (attributionColumnName is not null)
        {
            columns.Add(data.Schema[attributionColumnName]);
        }

        if (labelColumnName is not null)
        {
            columns.Add(data.Schema[labelColumnName]);
        }

        var images = new List<float>();
        var maps = new List<float>();
        var labels = new List<long>();
        using (var cursor = data.GetRowCursor(columns))
        {
            var getImage = cursor.GetGetter<VBuffer<float>>(data.Schema[featureColumnName]);
            var getMap = attributionColumnName is null ? null : cursor.GetGetter<VBuffer<float>>(data.Schema[attributionColumnName]);
            var getLabel = labelColumnName is null ? null : cursor.GetGetter<uint>(data.Schema[labelColumnName]);
            VBuffer<float> buffer = default;
            uint key = 0;
            long row = 0;
            while (cursor.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                getImage(ref buffer);
                Append(images, buffer, featureColumnName, shape, row, stage);
                if (getMap is not null)
                {
                    getMap(ref buffer);
                    Append(maps, buffer, attributionColumnName!, mapShape!, row, stage);
                }

                if (getLabel is not null)
                {
                    getLabel(ref key);
                    if (key == 0 || key > classes)
                    {
                        throw new InvalidDataException($"{stage}: row {row} has a missing or out-of-range key in label column '{labelColumnName}' ({key}; expected 1..{classes}).");
                    }

                    labels.Add(key - 1);
                }

                row++;
            }

            if (row == 0)
            {
                throw new InvalidDataException($"{stage}: the data view has no rows.");
            }

            return (tensor(images.ToArray(), [row, shape[0], shape[1], shape[2]]),
                mapShape is null ? null : tensor(maps.ToArray(), [row, mapShape[0], mapShape[1], mapShape[2]]),
                labelColumnName is null ? null : tensor(labels.ToArray()));
        }
    }

    private static void Append(List<float> values, VBuffer<float> buffer, string column, int[] shape, long row, string stage)
    {
        int size = shape[0] * shape[1] * shape[2];
        if (buffer.Length != size)
        {
            throw new InvalidDataException($"{stage}: row {row} of column '{column}' has {buffer.Length} values; expected {size} ([{string.Join(", ", shape)}]).");
        }

        foreach (float v in buffer.DenseValues())
        {
            if (!float.IsFinite(v))
            {
                throw new InvalidDataException($"{stage}: row {row} of column '{column}' holds a NaN or infinite value.");
            }

            values.Add(v);
        }
    }
}
