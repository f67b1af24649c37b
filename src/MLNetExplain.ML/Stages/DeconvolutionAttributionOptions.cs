namespace MLNetExplain.ML.Stages;

/// <summary>Options of the Deconvolution stage, written to "Deconvolution" by default; the method has no settings of its own.</summary>
public sealed record DeconvolutionAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public DeconvolutionAttributionOptions()
    {
        OutputColumnName = "Deconvolution";
    }
}
