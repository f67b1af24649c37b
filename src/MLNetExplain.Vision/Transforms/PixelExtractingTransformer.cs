using MLNetExplain.Data;

namespace MLNetExplain.Vision.Transforms;

/// <summary>
/// Converts an image vector (Byte or Single, planar CHW) to Single values (value - offset) * scale, keeping the
/// shape: the analogue of ML.NET's ExtractPixels, whose defaults (offset 0, scale 1) it keeps. Use scale 1/255
/// for inputs in [0, 1].
/// </summary>
public sealed class PixelExtractingTransformer : VectorMapTransformer
{
    internal PixelExtractingTransformer(PixelExtractingEstimator.Options options)
        : base(options.OutputColumnName, options.InputColumnName)
    {
        (Offset, Scale) = (options.OffsetImage, options.ScaleImage);
    }

    /// <summary>Subtracted from every value before scaling.</summary>
    public float Offset { get; }

    /// <summary>Multiplies every value after the offset.</summary>
    public float Scale { get; }

    /// <inheritdoc />
    protected override int[] OutputDimensions(IReadOnlyList<int> inputDimensions) => [.. inputDimensions];

    /// <inheritdoc />
    protected override RowFunction CreateRowFunction(IReadOnlyList<int> inputDimensions) => (input, output) =>
    {
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = (input[i] - Offset) * Scale;
        }
    };

    /// <inheritdoc />
    public override void Save(ModelSaveContext context) =>
        context.SetParameters(new PixelExtractingEstimator.Options
        {
            OutputColumnName = OutputColumnName, InputColumnName = InputColumnName, OffsetImage = Offset, ScaleImage = Scale,
        });

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static PixelExtractingTransformer Load(ModelLoadContext context) => new(context.GetParameters<PixelExtractingEstimator.Options>());
}

/// <summary>Creates <see cref="PixelExtractingTransformer"/>s; nothing to learn.</summary>
public sealed class PixelExtractingEstimator : VectorMapEstimator<PixelExtractingTransformer>
{
    internal PixelExtractingEstimator(Options options) : base(new PixelExtractingTransformer(options))
    {
    }

    /// <summary>Options of <see cref="PixelExtractingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The Single vector column written.</summary>
        public string OutputColumnName { get; set; } = "Features";

        /// <summary>The image column read (defaults to the output name).</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Subtracted from each value before scaling (ML.NET's offsetImage, default 0).</summary>
        public float OffsetImage { get; set; }

        /// <summary>Multiplies each value after the offset (ML.NET's scaleImage, default 1).</summary>
        public float ScaleImage { get; set; } = 1;
    }
}
