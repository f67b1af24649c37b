namespace MLNetExplain.Attribution;

/// <summary>Options of <see cref="FeatureAblation"/>. Defaults follow Captum's <c>FeatureAblation.attribute</c>.</summary>
public sealed record FeatureAblationOptions
{
    /// <summary>The value a removed feature takes when no baselines tensor is given (Captum: 0).</summary>
    public double BaselineValue { get; init; }

    /// <summary>
    /// Without an explicit feature mask, group images [N, C, H, W] into square superpixels of this side (all
    /// channels together, <see cref="FeatureMasks.Grid"/>); null makes every element its own feature (Captum's
    /// default: one forward pass per element).
    /// </summary>
    public int? SuperpixelSize { get; init; }

    /// <summary>
    /// Ablations evaluated per forward pass (Captum's <c>perturbations_per_eval</c>): each pass holds up to this
    /// many ablated copies of the batch. Trades memory for speed; the result does not depend on it.
    /// </summary>
    public int PerturbationsPerEval { get; init; } = 1;

    internal void Validate()
    {
        if (PerturbationsPerEval < 1)
        {
            throw new ArgumentException($"FeatureAblation needs PerturbationsPerEval >= 1; got {PerturbationsPerEval}.", nameof(PerturbationsPerEval));
        }

        if (SuperpixelSize is < 1)
        {
            throw new ArgumentException($"FeatureAblation's SuperpixelSize must be at least 1 pixel (or null); got {SuperpixelSize}.", nameof(SuperpixelSize));
        }

        if (!double.IsFinite(BaselineValue))
        {
            throw new ArgumentException($"FeatureAblation's BaselineValue must be finite; got {BaselineValue}.", nameof(BaselineValue));
        }
    }
}
