using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// <see cref="HeatmapRenderingEstimator.Options"/> checked against one input schema: where the attribution and image
/// columns are, their shapes, the output column's type, and the per-row rendering.
/// </summary>
internal sealed class HeatmapColumnBinding
{
    internal const string HeatmapTypeText = "Vector<Single, C, H, W> or Vector<Single, H, W> of known size";
    internal const string ImageTypeText = "an image (MLImage) or Vector<Single or Byte, 1 or 3, H, W>";

    private readonly HeatmapRenderingEstimator.Options _options;
    private readonly ImageSource _imageSource;
    private readonly int _imageChannels;

    public HeatmapColumnBinding(HeatmapRenderingEstimator.Options options, DataViewSchema input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _options = options;
        InputSchema = input;
        HeatmapColumn = input.GetColumnOrNull(options.InputColumnName)
            ?? throw Mismatch(options.InputColumnName, "input", HeatmapTypeText, "no such column");
        if (HeatmapColumn.Type is not VectorDataViewType { IsKnownSize: true } heat || heat.ItemType != NumberDataViewType.Single ||
            heat.Dimensions.Length is not (2 or 3))
        {
            throw Mismatch(options.InputColumnName, "input", HeatmapTypeText, $"{HeatmapColumn.Type}");
        }

        (Channels, Height, Width) = heat.Dimensions.Length == 3
            ? (heat.Dimensions[0], heat.Dimensions[1], heat.Dimensions[2])
            : (1, heat.Dimensions[0], heat.Dimensions[1]);

        if (options.ImageColumnName is { } imageName)
        {
            ImageColumn = input.GetColumnOrNull(imageName) ?? throw Mismatch(imageName, "image", ImageTypeText, "no such column");
            (_imageSource, _imageChannels) = BindImage(ImageColumn.Value, imageName);
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(options.OutputColumnName, new ImageDataViewType(Height * options.Scale, Width * options.Scale));
        OutputSchema = builder.ToSchema();
    }

    private enum ImageSource
    {
        None,
        Image,
        Singles,
        Bytes,
    }

    public DataViewSchema InputSchema { get; }

    /// <summary>The input columns followed by the image column (which hides an input column of the same name).</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>Index of the image column in <see cref="OutputSchema"/>.</summary>
    public int OutputIndex => OutputSchema.Count - 1;

    public DataViewSchema.Column HeatmapColumn { get; }

    public DataViewSchema.Column? ImageColumn { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    /// <summary>The input columns the image column is computed from.</summary>
    public IEnumerable<DataViewSchema.Column> Dependencies =>
        ImageColumn is { } image ? [HeatmapColumn, image] : [HeatmapColumn];

    /// <summary>ML.NET reports schema errors as <see cref="ArgumentOutOfRangeException"/> on the schema; so do we.</summary>
    internal static ArgumentOutOfRangeException Mismatch(string column, string role, string expected, string actual) =>
        new("inputSchema", $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}.");

    /// <summary>A getter rendering the current row of <paramref name="row"/>, which must have the dependencies active.
    /// Each call makes a new <see cref="MLImage"/> that the caller owns.</summary>
    public ValueGetter<MLImage> MakeGetter(DataViewRow row)
    {
        ValueGetter<VBuffer<float>> getHeat = row.GetGetter<VBuffer<float>>(HeatmapColumn);
        var heat = default(VBuffer<float>);
        float[] dense = new float[Channels * Height * Width];
        Func<SKBitmap> render = _imageSource switch
        {
            ImageSource.Image => ImageRenderer(row.GetGetter<MLImage>(ImageColumn!.Value), dense, row),
            ImageSource.Singles => PixelRenderer(row.GetGetter<VBuffer<float>>(ImageColumn!.Value), dense, PlanarPixels.ToBytes),
            ImageSource.Bytes => PixelRenderer(row.GetGetter<VBuffer<byte>>(ImageColumn!.Value), dense, span => span.ToArray()),
            _ => () => HeatmapRenderer.Render(dense, Channels, Height, Width, _options),
        };

        return (ref MLImage value) =>
        {
            getHeat(ref heat);
            if (heat.Length != dense.Length)
            {
                throw new InvalidOperationException(
                    $"Row {row.Position} of column '{HeatmapColumn.Name}' has {heat.Length} values; its type says {dense.Length}.");
            }

            heat.CopyTo(dense);
            using SKBitmap rendered = render();
            if (_options.Scale == 1)
            {
                value = rendered.ToMLImage();
                return;
            }

            using SKBitmap magnified = PlanarPixels.Magnify(rendered, _options.Scale);
            value = magnified.ToMLImage();
        };
    }

    private Func<SKBitmap> ImageRenderer(ValueGetter<MLImage> getImage, float[] dense, DataViewRow row)
    {
        // Upstream image stages dispose or reuse the MLImage they handed out when asked for the next one, so the
        // image is read within this call and never kept.
        // Null until the first read, and for rows whose image is missing.
        MLImage image = null!;
        return () =>
        {
            getImage(ref image);
            if (image is null)
            {
                return HeatmapRenderer.Render(dense, Channels, Height, Width, _options);
            }

            if (image.Width != Width || image.Height != Height)
            {
                throw new InvalidOperationException(
                    $"Row {row.Position} of image column '{ImageColumn!.Value.Name}' is {image.Width}x{image.Height}, but the " +
                    $"attribution '{HeatmapColumn.Name}' is {Width}x{Height}; resize the images to the attribution's size " +
                    "(ResizeImages) before rendering.");
            }

            using SKBitmap bitmap = image.ToSKBitmap();
            return HeatmapRenderer.Overlay(dense, Channels, bitmap, _options);
        };
    }

    private Func<SKBitmap> PixelRenderer<T>(ValueGetter<VBuffer<T>> getPixels, float[] dense, Func<ReadOnlySpan<T>, byte[]> toBytes)
    {
        var pixels = default(VBuffer<T>);
        var planar = new T[_imageChannels * Height * Width];
        return () =>
        {
            getPixels(ref pixels);
            pixels.CopyTo(planar);
            return HeatmapRenderer.Overlay(dense, Channels, Height, Width, toBytes(planar), _imageChannels, _options);
        };
    }

    private (ImageSource Source, int Channels) BindImage(DataViewSchema.Column column, string name)
    {
        if (column.Type is ImageDataViewType image)
        {
            // A size of 0 means "not known before reading" (LoadImages without ResizeImages); checked per row then.
            if ((image.Height != 0 || image.Width != 0) && (image.Height != Height || image.Width != Width))
            {
                throw Mismatch(name, "image", $"{Width}x{Height} images like the attribution '{HeatmapColumn.Name}'",
                    $"{image.Width}x{image.Height} images");
            }

            return (ImageSource.Image, 3);
        }

        if (column.Type is VectorDataViewType { IsKnownSize: true } vector &&
            (vector.ItemType == NumberDataViewType.Single || vector.ItemType == NumberDataViewType.Byte))
        {
            int[] dims = [.. vector.Dimensions];
            int plane = Height * Width;
            (int channels, bool sameSize) = dims.Length switch
            {
                3 => (dims[0], dims[1] == Height && dims[2] == Width),
                2 => (1, dims[0] == Height && dims[1] == Width),
                1 => (dims[0] / plane, dims[0] % plane == 0),
                _ => (0, false),
            };
            if (channels is (1 or 3) && sameSize)
            {
                return (vector.ItemType == NumberDataViewType.Single ? ImageSource.Singles : ImageSource.Bytes, channels);
            }

            throw Mismatch(name, "image", $"Vector<{vector.ItemType}, 1 or 3, {Height}, {Width}> like the attribution '{HeatmapColumn.Name}'",
                column.Type.ToString() + $" with dimensions [{string.Join(", ", dims)}]");
        }

        throw Mismatch(name, "image", ImageTypeText, $"{column.Type}");
    }
}
