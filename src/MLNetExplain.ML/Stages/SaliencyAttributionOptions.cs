namespace MLNetExplain.ML.Stages;

/// <summary>
/// Options of the saliency stage: absolute gradients by default (Captum's <c>Saliency.attribute(abs=True)</c>),
/// written to "Saliency".
/// </summary>
public sealed record SaliencyAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public SaliencyAttributionOptions()
    {
        OutputColumnName = "Saliency";
        Absolute = true;
    }
}
