namespace MLNetExplain.Attribution;

/// <summary>
/// Options of <see cref="KernelShap"/>. Defaults follow Captum's <c>KernelShap</c> (25 samples, baseline 0, one
/// sample per evaluation) except the feature grouping: images default to 4 x 4 superpixels, where Captum makes every
/// scalar a feature.
/// </summary>
public sealed record KernelShapOptions
{
    /// <summary>
    /// Coalitions evaluated, the all-present and all-absent ones included (Captum's <c>n_samples</c>, default 25);
    /// at least 2.
    /// </summary>
    public int Samples { get; init; } = 25;

    /// <summary>The value an absent feature takes when no baselines tensor is given (Captum: 0).</summary>
    public double BaselineValue { get; init; }

    /// <summary>
    /// Without an explicit feature mask, group images [N, C, H, W] into square superpixels of this side (all
    /// channels together, <see cref="FeatureMasks.Grid"/>); null makes every element its own feature (Captum's
    /// default, which 25 samples cannot fit on an image).
    /// </summary>
    public int? SuperpixelSize { get; init; } = 4;

    /// <summary>
    /// Coalitions evaluated per forward pass (Captum's <c>perturbations_per_eval</c>, default 1): each pass holds up
    /// to this many perturbed copies of the batch. Trades memory for speed; the result does not depend on it.
    /// </summary>
    public int PerturbationsPerEval { get; init; } = 1;

    /// <summary>
    /// Seed of the coalition draws. Every call starts a generator from it, so an image's map depends only on the
    /// image, its target and the seed: not on the batch, on earlier calls, or on the pipeline's batch size.
    /// </summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Samples < 2)
        {
            throw new ArgumentException($"KernelShap needs Samples >= 2 (the all-present and all-absent coalitions come first); got {Samples}.", nameof(Samples));
        }

        if (PerturbationsPerEval < 1)
        {
            throw new ArgumentException($"KernelShap needs PerturbationsPerEval >= 1; got {PerturbationsPerEval}.", nameof(PerturbationsPerEval));
        }

        if (SuperpixelSize is < 1)
        {
            throw new ArgumentException($"KernelShap's SuperpixelSize must be at least 1 pixel (or null); got {SuperpixelSize}.", nameof(SuperpixelSize));
        }

        if (!double.IsFinite(BaselineValue))
        {
            throw new ArgumentException($"KernelShap's BaselineValue must be finite; got {BaselineValue}.", nameof(BaselineValue));
        }
    }
}
