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
    /// Every cursor starts its generator from <see cref="GradientShapOptions.Seed"/>, and the draws are shared by the
    /// images of a batch, so a map depends on neither <see cref="AttributionOptions.BatchSize"/> nor the engine.
    /// </summary>
    public GradientShapOptions GradientShap { get; init; } = new();
}
