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
    /// The noise is drawn for a whole batch at once, so which noise an image gets depends on its place in its batch:
    /// a batched pass and PredictionEngine (a batch of one) give different draws of the same estimate, and so do
    /// two values of <see cref="AttributionOptions.BatchSize"/>.
    /// </summary>
    public SmoothGradOptions SmoothGrad { get; init; } = new();
}
