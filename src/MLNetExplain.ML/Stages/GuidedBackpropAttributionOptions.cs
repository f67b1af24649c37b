namespace MLNetExplain.ML.Stages;

/// <summary>Options of the Guided Backprop stage, written to "GuidedBackprop" by default; the method has no settings of its own.</summary>
public sealed record GuidedBackpropAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public GuidedBackpropAttributionOptions()
    {
        OutputColumnName = "GuidedBackprop";
    }
}
