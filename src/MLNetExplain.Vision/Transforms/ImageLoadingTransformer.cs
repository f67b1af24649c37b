using MLNetExplain.Data;
using MLNetExplain.Data.Views;
using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Transforms;

/// <summary>
/// Loads image files (PNG, JPEG, BMP; decoded by libstb) named by a text column, relative to an image folder, and
/// writes them as a fixed-size Byte vector [channels, height, width] in planar CHW order, resized bilinearly when
/// a file has another size. ML.NET splits this into LoadImages and ResizeImages; a fixed-size column needs both.
/// </summary>
public sealed class ImageLoadingTransformer : ISavableTransformer
{
    private readonly ImageLoadingEstimator.Options _options;

    internal ImageLoadingTransformer(ImageLoadingEstimator.Options options)
    {
        if (options.Channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Channels must be 1 (gray) or 3 (RGB).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ImageWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ImageHeight, 1);
        _options = options;
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    private string Input => _options.InputColumnName ?? _options.OutputColumnName;

    private VectorDataViewType OutputType => new(NumberDataViewType.Byte, _options.Channels, _options.ImageHeight, _options.ImageWidth);

    internal static void Check(SchemaShape shape, string column) =>
        shape.Require(column, "a Text column of image paths", c => c.Kind == SchemaShape.VectorKind.Scalar && c.ItemType == TextDataViewType.Instance,
            nameof(ImageLoadingTransformer));

    internal SchemaShape GetOutputSchema(SchemaShape input)
    {
        Check(input, Input);
        return input.With(SchemaShape.Column.From(DataViewSchema.Create([(_options.OutputColumnName, OutputType, null)])[0]));
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Check(SchemaShape.Create(inputSchema), Input);
        return inputSchema.Append([(_options.OutputColumnName, OutputType, null)]);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new MappedDataView(input, new Mapper(this));
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context) => context.SetParameters(_options);

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static ImageLoadingTransformer Load(ModelLoadContext context) => new(context.GetParameters<ImageLoadingEstimator.Options>());

    private sealed class Mapper(ImageLoadingTransformer owner) : RowMapper
    {
        public override IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> OutputColumns =>
            [(owner._options.OutputColumnName, owner.OutputType, null)];

        public override IEnumerable<DataViewSchema.Column> GetDependencies(DataViewSchema schema, IReadOnlyList<int> activeOutputs) =>
            activeOutputs.Count > 0 ? [schema[owner.Input]] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, bool[] activeOutputs)
        {
            if (!activeOutputs[0])
            {
                return [null];
            }

            var o = owner._options;
            var path = row.GetGetter<string>(row.Schema[owner.Input]);
            var size = o.Channels * o.ImageHeight * o.ImageWidth;
            return [(ValueGetter<VBuffer<byte>>)((ref VBuffer<byte> value) =>
            {
                string file = "";
                path(ref file);
                var full = o.ImageFolder is null ? file : Path.Combine(o.ImageFolder, file);
                var image = ImageCodec.Decode(full, o.Channels);
                var planar = PixelLayout.ToPlanar(image);
                var target = VBuffer<byte>.Edit(ref value, size);
                if (image.Width == o.ImageWidth && image.Height == o.ImageHeight)
                {
                    planar.CopyTo(target);
                    return;
                }

                var resampler = new BilinearResampler(image.Height, image.Width, o.ImageHeight, o.ImageWidth);
                var source = Array.ConvertAll(planar, b => (float)b);
                var resized = new float[size];
                resampler.ResampleImage(source, resized, o.Channels);
                for (var i = 0; i < size; i++)
                {
                    target[i] = (byte)Math.Clamp(MathF.Round(resized[i]), 0, 255);
                }
            })];
        }
    }
}

/// <summary>Creates <see cref="ImageLoadingTransformer"/>s; nothing to learn.</summary>
public sealed class ImageLoadingEstimator : IEstimator<ImageLoadingTransformer>
{
    private readonly ImageLoadingTransformer _transformer;

    internal ImageLoadingEstimator(Options options) => _transformer = new ImageLoadingTransformer(options);

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _transformer.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public ImageLoadingTransformer Fit(IDataView input)
    {
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }

    /// <summary>Options of <see cref="ImageLoadingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The Byte vector column written.</summary>
        public string OutputColumnName { get; set; } = "Image";

        /// <summary>The text column of paths read (defaults to the output name).</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Folder the paths are relative to; null for paths as given.</summary>
        public string? ImageFolder { get; set; }

        /// <summary>Width of the output images.</summary>
        public int ImageWidth { get; set; } = 32;

        /// <summary>Height of the output images.</summary>
        public int ImageHeight { get; set; } = 32;

        /// <summary>1 for gray, 3 for RGB.</summary>
        public int Channels { get; set; } = 3;
    }
}
