using System.Text.Json.Serialization;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Options of an attribution stage (<see cref="AttributionEstimator"/>): which columns it reads and writes, and
/// how the method's maps are post-processed: absolute value, then channel reduction, then per-image normalisation.
/// </summary>
/// <remarks>
/// ML.NET gives third-party catalog methods no access to the <c>MLContext</c> (its environment is internal), so
/// everything an <c>MLContext</c> would otherwise supply (seed, device, progress) travels in these options.
/// </remarks>
public record AttributionOptions
{
    /// <summary>The map column written: Single vector [C, H, W], or [1, H, W] with a channel reduction.</summary>
    public string OutputColumnName { get; init; } = "Attribution";

    /// <summary>The image column read: a Single vector [C, H, W] as the model was trained on (e.g. from ExtractPixels).</summary>
    public string InputColumnName { get; init; } = "Features";

    /// <summary>
    /// A key column naming the class to explain per row (key value k explains class k - 1); null explains the
    /// model's predicted class.
    /// </summary>
    public string? TargetColumnName { get; init; }

    /// <summary>Take |map| before reducing channels (false keeps the method's signs).</summary>
    public bool Absolute { get; init; }

    /// <summary>How channels are combined: <see cref="ChannelReduction.None"/> keeps [C, H, W].</summary>
    public ChannelReduction Reduction { get; init; } = ChannelReduction.None;

    /// <summary>Per-image scaling after the reduction (an all-zero map stays zero).</summary>
    public AttributionNormalization Normalization { get; init; } = AttributionNormalization.None;

    /// <summary>Rows per batched call of the model; 64-128 is fastest on CPU here (docs).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Where the model runs; null keeps it where its parameters are. When set, the stage moves the model there
    /// when it is created. Not saved: a loaded pipeline runs on the CPU.
    /// </summary>
    [JsonIgnore]
    public Device? Device { get; init; }

    /// <summary>Reports the rows attributed so far by each cursor, once per batch; not saved.</summary>
    [JsonIgnore]
    public IProgress<long>? Progress { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrEmpty(OutputColumnName) || string.IsNullOrEmpty(InputColumnName))
        {
            throw new ArgumentException("OutputColumnName and InputColumnName must name columns.", "options");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException("options", BatchSize, "BatchSize must be at least 1.");
        }
    }
}
