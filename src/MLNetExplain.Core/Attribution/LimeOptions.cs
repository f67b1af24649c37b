namespace MLNetExplain.Attribution;

/// <summary>
/// Options of <see cref="Lime"/>. Defaults follow Captum's <c>Lime</c> (25 samples, Lasso alpha 0.01, exponential
/// kernel of width 1 on the cosine distance, baseline 0, one sample per evaluation) except the feature grouping:
/// images default to 4 x 4 superpixels, where Captum makes every scalar a feature.
/// </summary>
public sealed record LimeOptions
{
    /// <summary>Perturbed samples the surrogate is fitted to (Captum's <c>n_samples</c>, default 25).</summary>
    public int Samples { get; init; } = 25;

    /// <summary>The Lasso penalty of the linear surrogate (Captum's <c>SkLearnLasso(alpha=0.01)</c>).</summary>
    public double Alpha { get; init; } = 0.01;

    /// <summary>
    /// Width of the similarity kernel exp(-d^2 / (2 width^2)) on the cosine distance d between an example and its
    /// perturbed copy (Captum's <c>get_exp_kernel_similarity_function("cosine", 1.0)</c>).
    /// </summary>
    public double KernelWidth { get; init; } = 1.0;

    /// <summary>The value a removed feature takes when no baselines tensor is given (Captum: 0).</summary>
    public double BaselineValue { get; init; }

    /// <summary>
    /// Without an explicit feature mask, group images [N, C, H, W] into square superpixels of this side (all
    /// channels together, <see cref="FeatureMasks.Grid"/>); null makes every element its own feature (Captum's
    /// default, which 25 samples cannot fit on an image).
    /// </summary>
    public int? SuperpixelSize { get; init; } = 4;

    /// <summary>
    /// Samples evaluated per forward pass (Captum's <c>perturbations_per_eval</c>, default 1): each pass holds up to
    /// this many perturbed copies of the batch. Trades memory for speed; the result does not depend on it.
    /// </summary>
    public int PerturbationsPerEval { get; init; } = 1;

    /// <summary>
    /// Seed of the feature draws. Every call starts a generator from it, so an image's map depends only on the image,
    /// its target and the seed: not on the batch, on earlier calls, or on the pipeline's batch size.
    /// </summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Samples < 1)
        {
            throw new ArgumentException($"Lime needs Samples >= 1; got {Samples}.", nameof(Samples));
        }

        if (PerturbationsPerEval < 1)
        {
            throw new ArgumentException($"Lime needs PerturbationsPerEval >= 1; got {PerturbationsPerEval}.", nameof(PerturbationsPerEval));
        }

        if (!(Alpha >= 0) || double.IsInfinity(Alpha))
        {
            throw new ArgumentException($"Lime's Alpha must be a finite penalty >= 0; got {Alpha}.", nameof(Alpha));
        }

        if (!(KernelWidth > 0) || double.IsInfinity(KernelWidth))
        {
            throw new ArgumentException($"Lime's KernelWidth must be finite and > 0; got {KernelWidth}.", nameof(KernelWidth));
        }

        if (SuperpixelSize is < 1)
        {
            throw new ArgumentException($"Lime's SuperpixelSize must be at least 1 pixel (or null); got {SuperpixelSize}.", nameof(SuperpixelSize));
        }

        if (!double.IsFinite(BaselineValue))
        {
            throw new ArgumentException($"Lime's BaselineValue must be finite; got {BaselineValue}.", nameof(BaselineValue));
        }
    }
}
