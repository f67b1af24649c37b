using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the Occlusion stage, written to "Occlusion" by default.</summary>
public record OcclusionAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public OcclusionAttributionOptions()
    {
        OutputColumnName = "Occlusion";
    }

    /// <summary>
    /// The method's settings (window, strides, baseline value, windows per forward pass). The window slides over each
    /// image alone, so the map depends neither on <see cref="AttributionOptions.BatchSize"/> nor on the row order.
    /// </summary>
    public OcclusionOptions Occlusion { get; init; } = new();
}
