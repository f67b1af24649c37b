using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the Integrated Gradients stage, written to "IntegratedGradients".</summary>
public sealed record IntegratedGradientsAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public IntegratedGradientsAttributionOptions()
    {
        OutputColumnName = "IntegratedGradients";
    }

    /// <summary>
    /// The method's settings (Captum's defaults: 50 Gauss-Legendre steps, multiplied by inputs). The stage explains
    /// every image against the constant baseline <see cref="IntegratedGradientsOptions.BaselineValue"/> (0 by default).
    /// </summary>
    public IntegratedGradientsOptions IntegratedGradients { get; init; } = new();
}
