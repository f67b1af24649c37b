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
    /// The denominator. Default ‖x‖_F (Quantus's code divides by the input's norm); <see cref="SensitivityNormalization.None"/>
    /// gives Captum's <c>sensitivity_max</c> and Yeh et al.'s unnormalised max.
    /// </summary>
    public SensitivityNormalization Normalization { get; init; } = SensitivityNormalization.Input;

    /// <summary>Samples that change the predicted class. Default kept (Quantus's and Captum's default).</summary>
    public ChangedPredictionHandling ChangedPredictions { get; init; } = ChangedPredictionHandling.Keep;

    /// <summary>The most images passed to one attribution call or forward pass. Results do not depend on it.</summary>
    public int MaxImagesPerCall { get; init; } = 256;

    /// <summary>Seed of the noise: the same seed and batch give the same result.</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Samples < 1 || MaxImagesPerCall < 1 || !Enum.IsDefined(Normalization) || !Enum.IsDefined(ChangedPredictions) || !(Radius >= 0) || double.IsInfinity(Radius))
        {
            throw new ArgumentException($"MaxSensitivity needs Samples and MaxImagesPerCall >= 1, known enum values and a finite Radius >= 0; got {this}.", "options");
        }
    }
}
