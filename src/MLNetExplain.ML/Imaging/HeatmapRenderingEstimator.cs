using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetExplain.ML.Data;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// Renders an attribution column (<c>Vector&lt;Single, C, H, W&gt;</c> or <c>Vector&lt;Single, H, W&gt;</c>) into an
/// image column (<see cref="MLImage"/>) with <see cref="HeatmapRenderer"/>'s Captum conventions, optionally laid over
/// an input image column. Made by <see cref="HeatmapCatalog.RenderHeatmap(TransformsCatalog, string, string, string?, HeatmapSign, double, double, int)"/>.
/// </summary>
/// <remarks>
/// Nothing is learned: <see cref="Fit"/> checks the columns and returns the transformer. Rows are rendered one at a
/// time, only when the output column is read.
/// </remarks>
public sealed class HeatmapRenderingEstimator : IEstimator<HeatmapRenderingTransformer>
{
    private readonly Options _options;

    internal HeatmapRenderingEstimator(Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>What to render and how; the rendering settings are those of <see cref="HeatmapOptions"/>.</summary>
    public sealed record Options : HeatmapOptions
    {
        /// <summary>Name of the image column made. Required.</summary>
        public string OutputColumnName { get; init; } = "";

        /// <summary>Name of the attribution column: a known-size vector of Single shaped <c>C x H x W</c> or
        /// <c>H x W</c> (channels are summed, as in Captum). Required.</summary>
        public string InputColumnName { get; init; } = "";

        /// <summary>
        /// Name of an image column to draw the heat map over, or null for the heat map alone. An <see cref="MLImage"/>
        /// column (e.g. from <c>LoadImages</c> and <c>ResizeImages</c>) must be <c>W x H</c> like the attribution; a
        /// planar pixel vector (<c>Vector&lt;Single or Byte, 1 or 3, H, W&gt;</c>, e.g. the model's <c>Features</c>)
        /// is read with Captum's rule: floats at most 1 are scaled by 255. Default null.
        /// </summary>
        public string? ImageColumnName { get; init; }

        /// <summary>Integer magnification of the output, nearest-neighbour, so small images are readable. Default 1.</summary>
        public int Scale { get; init; } = 1;

        /// <inheritdoc />
        public override void Validate()
        {
            base.Validate();
            if (string.IsNullOrEmpty(OutputColumnName))
            {
                throw new ArgumentException("The output column name is required.", nameof(OutputColumnName));
            }

            if (string.IsNullOrEmpty(InputColumnName))
            {
                throw new ArgumentException("The input (attribution) column name is required.", nameof(InputColumnName));
            }

            if (ImageColumnName is { Length: 0 })
            {
                throw new ArgumentException("The image column name must be null (no overlay) or a column name, not empty.", nameof(ImageColumnName));
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(Scale, 1, nameof(Scale));
        }
    }

    /// <summary>Checks the attribution and image columns against <paramref name="input"/>'s schema and returns the
    /// transformer.</summary>
    /// <param name="input">Data whose schema the transformer will be applied to; not read.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a column is missing or of the wrong type or shape.</exception>
    public HeatmapRenderingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _ = new HeatmapColumnBinding(_options, input.Schema);
        return new HeatmapRenderingTransformer(_options);
    }

    /// <summary>The input shape with the image column added (its size is known only once the data's schema is).</summary>
    /// <param name="inputSchema">The shape of the data the pipeline will see here.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a column is missing or of the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var heat = inputSchema.FirstOrDefault(c => c.Name == _options.InputColumnName);
        if (heat.Name is null)
        {
            throw HeatmapColumnBinding.Mismatch(_options.InputColumnName, "input", HeatmapColumnBinding.HeatmapTypeText, "no such column");
        }

        if (heat.Kind != SchemaShape.Column.VectorKind.Vector || heat.IsKey || heat.ItemType != NumberDataViewType.Single)
        {
            throw HeatmapColumnBinding.Mismatch(_options.InputColumnName, "input", HeatmapColumnBinding.HeatmapTypeText, Describe(heat));
        }

        if (_options.ImageColumnName is { } imageName)
        {
            var image = inputSchema.FirstOrDefault(c => c.Name == imageName);
            if (image.Name is null)
            {
                throw HeatmapColumnBinding.Mismatch(imageName, "image", HeatmapColumnBinding.ImageTypeText, "no such column");
            }

            bool isImage = image.Kind == SchemaShape.Column.VectorKind.Scalar && image.ItemType is ImageDataViewType;
            bool isPixels = image.Kind == SchemaShape.Column.VectorKind.Vector && !image.IsKey &&
                            (image.ItemType == NumberDataViewType.Single || image.ItemType == NumberDataViewType.Byte);
            if (!isImage && !isPixels)
            {
                throw HeatmapColumnBinding.Mismatch(imageName, "image", HeatmapColumnBinding.ImageTypeText, Describe(image));
            }
        }

        return SchemaShapes.Append(inputSchema, [new DataViewSchema.DetachedColumn(_options.OutputColumnName, new ImageDataViewType())]);
    }

    private static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => $"{(column.IsKey ? "Key<" + column.ItemType + ">" : column.ItemType.ToString())}",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"variable-size Vector<{column.ItemType}>",
    };
}
