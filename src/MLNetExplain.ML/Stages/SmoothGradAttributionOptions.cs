using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the SmoothGrad stage, written to "SmoothGrad" by default.</summary>
public record SmoothGradAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public SmoothGradAttributionOptions()
    {
        OutputColumnName = "SmoothGrad";
    }

    /// <summary>
    /// The method's settings (samples, noise level, per-sample absolute value, seed). Every cursor starts its noise
    /// generator from <see cref="SmoothGradOptions.Seed"/>, so a pass over the same rows in the same order repeats;
    /// every PredictionEngine prediction starts from it too, so an image gets the same map on any engine or thread.
    /// Each sample's noise is shared by the images of a batch, so the map does not depend on
    /// <see cref="AttributionOptions.BatchSize"/> either: a batched pass and PredictionEngine agree.
    /// </summary>
    public SmoothGradOptions SmoothGrad { get; init; } = new();
}
