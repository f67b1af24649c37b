using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Seed 001's robust attribution g(f', x) (Eq. 4): SmoothGrad (50 samples, noise level 0.15, absolute gradients
/// per sample) of the adversarially robust counterpart f' for the true class in "Label", summed over channels and
/// scaled to a largest value of 1 per image, written to "RobustAttribution".
/// </summary>
public sealed record RobustAttributionOptions : SmoothGradAttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public RobustAttributionOptions()
    {
        OutputColumnName = "RobustAttribution";
        TargetColumnName = "Label";
        Reduction = ChannelReduction.Sum;
        Normalization = AttributionNormalization.MaxAbs;
    }
}
