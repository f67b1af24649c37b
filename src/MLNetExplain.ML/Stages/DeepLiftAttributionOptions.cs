using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the DeepLift stage, written to "DeepLift" by default.</summary>
public sealed record DeepLiftAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public DeepLiftAttributionOptions()
    {
        OutputColumnName = "DeepLift";
    }

    /// <summary>
    /// The method's settings: multiply by inputs, eps, the constant baseline every row is explained against
    /// (<see cref="DeepLiftOptions.BaselineValue"/>, 0 by default) and the completeness check.
    /// </summary>
    public DeepLiftOptions DeepLift { get; init; } = new();
}
