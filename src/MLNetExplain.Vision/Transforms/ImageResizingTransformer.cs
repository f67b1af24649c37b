using MLNetExplain.Data;

namespace MLNetExplain.Vision.Transforms;

/// <summary>
/// Resizes a CHW image vector to height x width with bilinear interpolation, sampled as PyTorch's
/// <c>interpolate(mode="bilinear", align_corners=False)</c> so results match libtorch's (see
/// <see cref="BilinearResampler"/>). The analogue of ML.NET's ResizeImages.
/// </summary>
public sealed class ImageResizingTransformer : VectorMapTransformer
{
    internal ImageResizingTransformer(string output, string? input, int width, int height) : base(output, input)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        (Width, Height) = (width, height);
    }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <inheritdoc />
    protected override int[] OutputDimensions(IReadOnlyList<int> inputDimensions) => inputDimensions.Count == 3
        ? [inputDimensions[0], Height, Width]
        : throw new SchemaMismatchException(nameof(ImageResizingTransformer), InputColumnName, "a CHW image vector",
            $"Vector<{string.Join(", ", inputDimensions)}>");

    /// <inheritdoc />
    protected override RowFunction CreateRowFunction(IReadOnlyList<int> dims)
    {
        var resampler = new BilinearResampler(dims[1], dims[2], Height, Width);
        return (input, output) => resampler.ResampleImage(input, output, dims[0]);
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context) =>
        context.SetParameters(new ImageResizingEstimator.Options
        {
            OutputColumnName = OutputColumnName, InputColumnName = InputColumnName, ImageWidth = Width, ImageHeight = Height,
        });

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static ImageResizingTransformer Load(ModelLoadContext context)
    {
        var o = context.GetParameters<ImageResizingEstimator.Options>();
        return new ImageResizingTransformer(o.OutputColumnName, o.InputColumnName, o.ImageWidth, o.ImageHeight);
    }
}

/// <summary>Creates <see cref="ImageResizingTransformer"/>s; nothing to learn.</summary>
public sealed class ImageResizingEstimator : VectorMapEstimator<ImageResizingTransformer>
{
    internal ImageResizingEstimator(Options options) : base(new ImageResizingTransformer(options.OutputColumnName, options.InputColumnName, options.ImageWidth, options.ImageHeight))
    {
    }

    /// <summary>Options of <see cref="ImageResizingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The Single vector column written.</summary>
        public string OutputColumnName { get; set; } = "Image";

        /// <summary>The CHW image column read (defaults to the output name).</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Output width in pixels.</summary>
        public int ImageWidth { get; set; } = 32;

        /// <summary>Output height in pixels.</summary>
        public int ImageHeight { get; set; } = 32;
    }
}
