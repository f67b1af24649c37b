using MLNetExplain.Data;

namespace MLNetExplain.Vision.Transforms;

/// <summary>
/// Per-channel standardisation of a CHW Single image vector: (x - mean[c]) / std[c], torchvision's Normalize.
/// The estimator learns mean and std from the data (population statistics over all pixels of each channel)
/// unless both are given.
/// </summary>
public sealed class ImageNormalizingTransformer : VectorMapTransformer
{
    internal ImageNormalizingTransformer(string output, string? input, float[] mean, float[] std) : base(output, input)
    {
        if (mean.Length != std.Length || std.Any(s => !(s > 0)))
        {
            throw new ArgumentException("NormalizeImage needs one mean and one positive std per channel.");
        }

        (Mean, Std) = (mean, std);
    }

    /// <summary>Per-channel means.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <inheritdoc />
    protected override int[] OutputDimensions(IReadOnlyList<int> inputDimensions)
    {
        if (inputDimensions.Count != 3 || inputDimensions[0] != Mean.Count)
        {
            throw new SchemaMismatchException(nameof(ImageNormalizingTransformer), InputColumnName,
                $"a CHW image vector with {Mean.Count} channels", $"Vector<{string.Join(", ", inputDimensions)}>");
        }

        return [.. inputDimensions];
    }

    /// <inheritdoc />
    protected override RowFunction CreateRowFunction(IReadOnlyList<int> inputDimensions)
    {
        var plane = inputDimensions[1] * inputDimensions[2];
        return (input, output) =>
        {
            for (var c = 0; c < Mean.Count; c++)
            {
                float m = Mean[c], s = Std[c];
                for (var i = c * plane; i < (c + 1) * plane; i++)
                {
                    output[i] = (input[i] - m) / s;
                }
            }
        };
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context) =>
        context.SetParameters(new ImageNormalizingEstimator.Options
        {
            OutputColumnName = OutputColumnName, InputColumnName = InputColumnName, Mean = [.. Mean], Std = [.. Std],
        });

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static ImageNormalizingTransformer Load(ModelLoadContext context)
    {
        var o = context.GetParameters<ImageNormalizingEstimator.Options>();
        return new ImageNormalizingTransformer(o.OutputColumnName, o.InputColumnName, o.Mean ?? [], o.Std ?? []);
    }
}

/// <summary>Learns (or takes) per-channel mean and std and creates an <see cref="ImageNormalizingTransformer"/>.</summary>
public sealed class ImageNormalizingEstimator(ImageNormalizingEstimator.Options options) : IEstimator<ImageNormalizingTransformer>
{
    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = VectorMapTransformer.CheckInput(inputSchema, options.InputColumnName ?? options.OutputColumnName, nameof(ImageNormalizingEstimator));
        if (input.Dimensions.Count != 3 || (options.Mean is { } m && m.Length != input.Dimensions[0]))
        {
            throw new SchemaMismatchException(nameof(ImageNormalizingEstimator), input.Name,
                options.Mean is { } mean ? $"a CHW image vector with {mean.Length} channels" : "a CHW image vector", input.ToString());
        }

        return inputSchema.With(input with { Name = options.OutputColumnName, ItemType = NumberDataViewType.Single });
    }

    /// <summary>Computes channel statistics in one pass (unless given) and returns the transformer.</summary>
    public ImageNormalizingTransformer Fit(IDataView input)
    {
        var shape = GetOutputSchema(SchemaShape.Create(input.Schema));
        var inputName = options.InputColumnName ?? options.OutputColumnName;
        if (options.Mean is { } mean && options.Std is { } std)
        {
            return new ImageNormalizingTransformer(options.OutputColumnName, inputName, mean, std);
        }

        var dims = shape.Find(options.OutputColumnName)!.Dimensions;
        var (m, s) = ChannelStatistics(input, inputName, dims[0], dims[1] * dims[2]);
        return new ImageNormalizingTransformer(options.OutputColumnName, inputName, m, s);
    }

    private static (float[] Mean, float[] Std) ChannelStatistics(IDataView data, string column, int channels, int plane)
    {
        // Float64 sums keep 70k images x 784 pixels exact enough.
        var sum = new double[channels];
        var sumSq = new double[channels];
        long rows = 0;
        var pixels = new PixelExtractingEstimator(new PixelExtractingEstimator.Options { OutputColumnName = "__pixels", InputColumnName = column })
            .Fit(data).Transform(data);
        var col = pixels.Schema["__pixels"];
        using var cursor = pixels.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        var buffer = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            var v = buffer.GetValues();
            for (var c = 0; c < channels; c++)
            {
                foreach (var x in v.Slice(c * plane, plane))
                {
                    sum[c] += x;
                    sumSq[c] += (double)x * x;
                }
            }

            rows++;
        }

        if (rows == 0)
        {
            throw new InvalidOperationException($"NormalizeImage: column '{column}' has no rows to learn statistics from.");
        }

        var n = (double)rows * plane;
        var mean = sum.Select(t => (float)(t / n)).ToArray();
        var std = sumSq.Select((t, c) => (float)Math.Sqrt(Math.Max(t / n - (sum[c] / n) * (sum[c] / n), 1e-12))).ToArray();
        return (mean, std);
    }

    /// <summary>Options of <see cref="ImageNormalizingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The Single vector column written.</summary>
        public string OutputColumnName { get; set; } = "Features";

        /// <summary>The CHW image column read (defaults to the output name).</summary>
        public string? InputColumnName { get; set; }

        /// <summary>Per-channel means; learned from the data when null.</summary>
        public float[]? Mean { get; set; }

        /// <summary>Per-channel standard deviations; learned from the data when null.</summary>
        public float[]? Std { get; set; }
    }
}
