using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the learned-propagation stage, written to "LearnedPropagation" by default.</summary>
public sealed record LearnedPropagationAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public LearnedPropagationAttributionOptions()
    {
        OutputColumnName = "LearnedPropagation";
    }

    /// <summary>
    /// The method's settings (Adam steps and learning rate, mask scale and centres, mask-loss weight, reference).
    /// The method draws nothing and optimises each image on its own, so a row's map does not depend on
    /// <see cref="AttributionOptions.BatchSize"/>, on the other rows or on the engine.
    /// </summary>
    public LearnedPropagationOptions LearnedPropagation { get; init; } = new();
}
