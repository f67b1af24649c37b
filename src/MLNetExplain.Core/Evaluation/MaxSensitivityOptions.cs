namespace MLNetExplain.Evaluation;

/// <summary>Options of <see cref="MaxSensitivity"/>. Defaults follow Quantus's <c>MaxSensitivity</c>.</summary>
public sealed record MaxSensitivityOptions
{
    /// <summary>Perturbed copies per image (Quantus <c>nr_samples=200</c>; Captum's <c>n_perturb_samples=10</c>).</summary>
    public int Samples { get; init; } = 200;

    /// <summary>
    /// Noise radius r: every element gets independent U(-r, r) noise, not clipped (Quantus <c>lower_bound=0.2</c>;
    /// Captum's <c>perturb_radius=0.02</c>).
    /// </summary>
    public double Radius { get; init; } = 0.2;

    /// <summary>
    /// Divide by ‖a(x)‖_F (Quantus <c>norm_denominator=fro_norm</c>); false gives Captum's
    /// <c>sensitivity_max</c>, the unnormalised max ‖a(x) - a(x + δ)‖_F.
    /// </summary>
    public bool Relative { get; init; } = true;

    /// <summary>
    /// Ignore samples whose predicted class differs from the clean image's (Quantus: they become NaN before the
    /// nan-max); false keeps them (Captum).
    /// </summary>
    public bool SkipChangedPredictions { get; init; } = true;

    /// <summary>The most images passed to one attribution call or forward pass. Results do not depend on it.</summary>
    public int MaxImagesPerCall { get; init; } = 256;

    /// <summary>Seed of the noise: the same seed and batch give the same result.</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Samples < 1 || MaxImagesPerCall < 1 || !(Radius >= 0) || double.IsInfinity(Radius))
        {
            throw new ArgumentException($"MaxSensitivity needs Samples and MaxImagesPerCall >= 1 and a finite Radius >= 0; got {this}.", "options");
        }
    }
}
