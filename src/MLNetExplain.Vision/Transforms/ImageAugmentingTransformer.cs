using MLNetExplain.Data;

namespace MLNetExplain.Vision.Transforms;

/// <summary>
/// Seeded training augmentation of a CHW image vector: zero-pad by <see cref="Padding"/> pixels, take a random
/// crop of the original size, and flip horizontally with probability <see cref="FlipProbability"/> (the standard
/// CIFAR recipe). The k-th cursor opened on a transformed view draws from seed + k, so every epoch sees new
/// augmentations while a run stays reproducible for a given seed.
/// </summary>
public sealed class ImageAugmentingTransformer : VectorMapTransformer
{
    private int _cursors;

    internal ImageAugmentingTransformer(ImageAugmentingEstimator.Options options) : base(options.OutputColumnName, options.InputColumnName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Padding);
        if (options.FlipProbability is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "FlipProbability must be in [0, 1].");
        }

        (Padding, FlipProbability, Seed) = (options.Padding, options.FlipProbability, options.Seed);
    }

    /// <summary>Zero padding on each side before cropping.</summary>
    public int Padding { get; }

    /// <summary>Probability of a horizontal flip.</summary>
    public double FlipProbability { get; }

    /// <summary>The base seed.</summary>
    public int Seed { get; }

    /// <inheritdoc />
    protected override int[] OutputDimensions(IReadOnlyList<int> inputDimensions) => inputDimensions.Count == 3
        ? [.. inputDimensions]
        : throw new SchemaMismatchException(nameof(ImageAugmentingTransformer), InputColumnName, "a CHW image vector",
            $"Vector<{string.Join(", ", inputDimensions)}>");

    /// <inheritdoc />
    protected override RowFunction CreateRowFunction(IReadOnlyList<int> dims)
    {
        int channels = dims[0], h = dims[1], w = dims[2];
        var random = new Random(unchecked(Seed + Interlocked.Increment(ref _cursors) - 1));
        return (input, output) =>
        {
            var dy = random.Next(2 * Padding + 1) - Padding;
            var dx = random.Next(2 * Padding + 1) - Padding;
            var flip = random.NextDouble() < FlipProbability;
            for (var c = 0; c < channels; c++)
            {
                for (var y = 0; y < h; y++)
                {
                    var sy = y + dy;
                    for (var x = 0; x < w; x++)
                    {
                        var sx = (flip ? w - 1 - x : x) + dx;
                        output[(c * h + y) * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? input[(c * h + sy) * w + sx] : 0f;
                    }
                }
            }
        };
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context) =>
        context.SetParameters(new ImageAugmentingEstimator.Options
        {
            OutputColumnName = OutputColumnName, InputColumnName = InputColumnName, Padding = Padding,
            FlipProbability = FlipProbability, Seed = Seed,
        });

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static ImageAugmentingTransformer Load(ModelLoadContext context) => new(context.GetParameters<ImageAugmentingEstimator.Options>());
}

/// <summary>Creates <see cref="ImageAugmentingTransformer"/>s; nothing to learn.</summary>
public sealed class ImageAugmentingEstimator : VectorMapEstimator<ImageAugmentingTransformer>
{
    internal ImageAugmentingEstimator(Options options) : base(new ImageAugmentingTransformer(options))
    {
    }

    /// <summary>Options of <see cref="ImageAugmentingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The Single vector column written.</summary>
        public string OutputColumnName { get; set; } = "Features";

        /// <summary>The CHW image column read (defaults to the output name).</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Zero padding before the random crop (4 for 32x32 CIFAR, 2 or 3 for 28x28).</summary>
        public int Padding { get; set; } = 4;

        /// <summary>Probability of a horizontal flip.</summary>
        public double FlipProbability { get; set; } = 0.5;

        /// <summary>The base seed; the context's seed sequence supplies it in the catalog's flat overload.</summary>
        public int Seed { get; set; }
    }
}
