using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Data;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// A TorchSharp computation over batches of an image column: reads the image column (Single vectors [C, H, W]) and
/// an optional key column of classes, and appends Single-vector columns computed by one call per batch of
/// <see cref="BatchSize"/> rows. The stages built on it differ only in this definition; the lazy view, its cursor
/// and the row mapper for PredictionEngine are shared.
/// </summary>
/// <param name="Stage">The stage's name in error messages, e.g. "Saliency attribution".</param>
/// <param name="InputColumnName">The image column.</param>
/// <param name="TargetColumnName">A key column whose values (1-based) become class indices, or null.</param>
/// <param name="BatchSize">Rows per call of <paramref name="Open"/>.</param>
/// <param name="Outputs">The appended columns.</param>
/// <param name="Open">Creates the computation for one cursor or PredictionEngine row.</param>
internal sealed record BatchedTensorMap(
    string Stage,
    string InputColumnName,
    string? TargetColumnName,
    int BatchSize,
    IReadOnlyList<TensorOutputColumn> Outputs,
    Func<TensorBatchFunction> Open)
{
    /// <summary>The image shape [C, H, W] the model takes, when it declares one (checked by <see cref="Bind"/>); null accepts any.</summary>
    public IReadOnlyList<long>? ImageShape { get; init; }

    /// <summary>Checks <paramref name="inputSchema"/> and lays out the output schema.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type or shape.</exception>
    public TensorMapLayout Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var input = inputSchema.GetColumnOrNull(InputColumnName) ?? throw Mismatch(InputColumnName, ExpectedImage, null);
        if (input.Type is not VectorDataViewType { IsKnownSize: true, Dimensions.Length: 3 } vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw Mismatch(InputColumnName, ExpectedImage, $"{input.Type}");
        }

        int[] dims = [.. vector.Dimensions];
        if (ImageShape is not null && !dims.Select(d => (long)d).SequenceEqual(ImageShape))
        {
            throw Mismatch(InputColumnName, $"images [{string.Join(", ", ImageShape)}] (the model's input shape)", $"[{string.Join(", ", dims)}]");
        }

        DataViewSchema.Column? target = null;
        var classes = 0;
        if (TargetColumnName is not null)
        {
            target = inputSchema.GetColumnOrNull(TargetColumnName) ?? throw Mismatch(TargetColumnName, ExpectedKey, null);
            if (target.Value.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            {
                throw Mismatch(TargetColumnName, ExpectedKey, $"{target.Value.Type}");
            }

            classes = checked((int)key.Count);
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        var outputs = new List<TensorMapLayout.Output>();
        foreach (var column in OutputColumns(dims, input.Annotations))
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
            outputs.Add(new TensorMapLayout.Output(column.Name, inputSchema.Count + outputs.Count,
                column.Type is VectorDataViewType vectorType ? vectorType.Size : 1, column.Type is KeyDataViewType));
        }

        return new TensorMapLayout(this, inputSchema, builder.ToSchema(), input, dims, target, classes, outputs);
    }

    /// <summary>
    /// The output shape for an estimator. A <see cref="SchemaShape"/> carries no vector sizes, so the image
    /// dimensions are checked again when data arrives (<see cref="Bind"/>).
    /// </summary>
    public SchemaShape OutputShape(SchemaShape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var input = inputShape.FirstOrDefault(c => c.Name == InputColumnName);
        if (input.Name is null)
        {
            throw Mismatch(InputColumnName, ExpectedImage, null);
        }

        if (input.Kind != SchemaShape.Column.VectorKind.Vector || input.ItemType != NumberDataViewType.Single)
        {
            throw Mismatch(InputColumnName, ExpectedImage, Describe(input));
        }

        if (TargetColumnName is not null)
        {
            var target = inputShape.FirstOrDefault(c => c.Name == TargetColumnName);
            if (target.Name is null)
            {
                throw Mismatch(TargetColumnName, ExpectedKey, null);
            }

            if (!target.IsKey || target.Kind != SchemaShape.Column.VectorKind.Scalar || target.ItemType != NumberDataViewType.UInt32)
            {
                throw Mismatch(TargetColumnName, ExpectedKey, Describe(target));
            }
        }

        // The sizes are unknown here; any [C, H, W] gives the same shape (type and annotation names).
        return SchemaShapes.Append(inputShape, OutputColumns([1, 1, 1], null));
    }

    private IEnumerable<DataViewSchema.DetachedColumn> OutputColumns(int[] inputDims, DataViewSchema.Annotations? inputAnnotations)
    {
        foreach (var output in Outputs)
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            if (output.Annotations is not null)
            {
                annotations.Add(output.Annotations, _ => true);
            }

            if (output.KeyCount is int classes)
            {
                yield return new DataViewSchema.DetachedColumn(output.Name, new KeyDataViewType(typeof(uint), classes), annotations.ToAnnotations());
                continue;
            }

            var dims = output.Dimensions(inputDims);
            if (output.IsImageMap)
            {
                // Slot names and other per-value annotations of the image still describe a map of the same shape.
                if (inputAnnotations is not null && dims.SequenceEqual(inputDims))
                {
                    annotations.Add(inputAnnotations, name => name != ImageShapeAnnotation.Name);
                }

                ImageShapeAnnotation.Add(annotations, dims);
            }

            yield return new DataViewSchema.DetachedColumn(output.Name, new VectorDataViewType(NumberDataViewType.Single, dims), annotations.ToAnnotations());
        }
    }

    private static string Describe(SchemaShape.Column column) =>
        $"{column.Kind} of {(column.IsKey ? "key " : "")}{column.ItemType}";

    private const string ExpectedImage = "a known-size Single vector [C, H, W] (an image tensor, e.g. from ExtractPixels or [VectorType(C, H, W)])";
    private const string ExpectedKey = "a UInt32 key of classes (e.g. from MapValueToKey)";

    internal ArgumentOutOfRangeException Mismatch(string column, string expected, string? actual) =>
        new("inputSchema", $"Schema mismatch for column '{column}' of the {Stage} stage: expected {expected}, " +
            (actual is null ? "but there is no such column." : $"got {actual}."));
}
