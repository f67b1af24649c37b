using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the AttEXplore stage, written to "AttEXplore".</summary>
public sealed record AttExploreAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public AttExploreAttributionOptions()
    {
        OutputColumnName = "AttEXplore";
    }

    /// <summary>
    /// The method's settings (the reference code's defaults: epsilon 16/255, 10 steps, 20 spectrum samples, values in
    /// [0, 1]). Every cursor and every PredictionEngine prediction starts its generator from
    /// <see cref="AttExploreOptions.Seed"/>, so a pass over the same rows in the same order repeats.
    /// </summary>
    public AttExploreOptions AttExplore { get; init; } = new();
}
