using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the FeatureAblation stage, written to "FeatureAblation" by default.</summary>
public record FeatureAblationAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public FeatureAblationAttributionOptions()
    {
        OutputColumnName = "FeatureAblation";
    }

    /// <summary>
    /// The method's settings (superpixel size, baseline value, ablations per forward pass). The stage ablates 4 x 4
    /// superpixels by default (the method's own default, every element alone, costs a forward pass per element).
    /// Each image is ablated alone, so the map depends neither on <see cref="AttributionOptions.BatchSize"/> nor on
    /// the row order.
    /// </summary>
    public FeatureAblationOptions FeatureAblation { get; init; } = new() { SuperpixelSize = 4 };
}
