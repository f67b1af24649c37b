namespace MLNetExplain.ML.Stages;

/// <summary>Options of the Input x Gradient stage (Captum's <c>InputXGradient</c>, signed), written to "InputXGradient".</summary>
public sealed record InputXGradientAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public InputXGradientAttributionOptions()
    {
        OutputColumnName = "InputXGradient";
    }
}
