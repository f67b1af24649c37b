using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the GradientSHAP stage, written to "GradientShap".</summary>
public sealed record GradientShapAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public GradientShapAttributionOptions()
    {
        OutputColumnName = "GradientShap";
    }

    /// <summary>
    /// The method's settings (Captum's defaults: 5 samples, no input noise). The stage explains every image against
    /// the all-zero image (a distribution of one baseline); use the tensor API for another baseline distribution.
    /// Every cursor and every PredictionEngine prediction starts its generator from <see cref="GradientShapOptions.Seed"/>,
    /// so a pass over the same rows in the same order repeats.
    /// </summary>
    public GradientShapOptions GradientShap { get; init; } = new();
}
