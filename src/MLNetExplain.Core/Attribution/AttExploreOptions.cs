namespace MLNetExplain.Attribution;

/// <summary>
/// Options of <see cref="AttExplore"/>. Defaults follow the reference code (LMBTough/ATTEXPLORE,
/// <c>saliency_zoo.py::ampe</c> and <c>core/ampe.py::FGSMGradSSA</c>): epsilon 16/255, 10 steps, 20 spectrum samples
/// per step, tuning factor 0.5, noise sigma 16/255, momentum 1, a 7 x 7 Gaussian smoothing kernel, input diversity
/// with probability 0.5 and resize rate 1.15, and the value box [0, 1].
/// </summary>
public sealed record AttExploreOptions
{
    /// <summary>The L-infinity radius of the explored neighbourhood around the input (reference: 16/255).</summary>
    public double Epsilon { get; init; } = 16.0 / 255.0;

    /// <summary>Steps T of the adversarial path (reference <c>num_steps</c>: 10); each moves every pixel by Epsilon / T.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Spectrum samples N averaged per step (reference <c>N</c>: 20): T x N gradient evaluations in all.</summary>
    public int Samples { get; init; } = 20;

    /// <summary>
    /// The tuning factor rho of the spectrum mask: each DCT coefficient is scaled by a factor drawn uniformly from
    /// [1 - rho, 1 + rho] (reference: 0.5). 0 keeps the spectrum.
    /// </summary>
    public double SpectrumTuning { get; init; } = 0.5;

    /// <summary>Standard deviation sigma of the Gaussian noise added before the DCT, in input units (reference: 16/255).</summary>
    public double NoiseStdDev { get; init; } = 16.0 / 255.0;

    /// <summary>The momentum decay mu of the accumulated gradient (reference: 1.0, MI-FGSM's sum).</summary>
    public double Momentum { get; init; } = 1.0;

    /// <summary>
    /// The side of the translation-invariant (TI-FGSM) Gaussian kernel that smooths each step's mean gradient per
    /// channel: the outer product of the normal density at k points evenly spaced on [-3, 3], normalised to sum 1
    /// (reference: 7). Odd; 1 disables the smoothing.
    /// </summary>
    public int SmoothingKernelSize { get; init; } = 7;

    /// <summary>
    /// The probability that a gradient evaluation sees the input-diversity transform (DI-FGSM): the image is resized
    /// bilinearly to a random size in [H, H') x [W, W') and zero-padded at a random offset to H' x W', with
    /// H' = floor(H x <see cref="DiversityResizeRate"/>) (reference: 0.5). The model must accept H' x W' images (e.g.
    /// adaptive pooling) unless H' = H and W' = W; 0 disables the transform.
    /// </summary>
    public double DiversityProbability { get; init; } = 0.5;

    /// <summary>The input-diversity enlargement factor, at least 1 (reference: 1.15).</summary>
    public double DiversityResizeRate { get; init; } = 1.15;

    /// <summary>The smallest valid input value; path points are clipped to [MinValue, MaxValue] (reference: 0).</summary>
    public double MinValue { get; init; }

    /// <summary>The largest valid input value (reference: 1).</summary>
    public double MaxValue { get; init; } = 1.0;

    /// <summary>
    /// Reproduce the reference code's two quirks: the loss is the cross-entropy of softmax(softmax(logits)) (the
    /// authors' model ends in a Softmax and <c>use_softmax</c> adds another), and the path descends that loss
    /// (towards the target class) with attribution -sum (x_{t+1} - x_t) g_t. False (the default) takes the
    /// cross-entropy of the logits, ascends it (away from the target class, the adversarial exploration the paper
    /// describes) and gives sum (x_{t+1} - x_t) g_t. Both maps are non-negative for inputs inside the value box.
    /// </summary>
    public bool ReferenceCompatible { get; init; }

    /// <summary>The most images (examples x samples) in one forward pass; bounds memory. Results do not depend on it.</summary>
    public int MaxImagesPerForward { get; init; } = 256;

    /// <summary>Seed of the generator the method creates for <see cref="AttributionMethod.Attribute"/> (the authors seed 3407).</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Steps < 1 || Samples < 1 || MaxImagesPerForward < 1)
        {
            throw new ArgumentException($"AttEXplore needs Steps, Samples and MaxImagesPerForward >= 1; got {Steps}, {Samples}, {MaxImagesPerForward}.", "options");
        }

        Check(Epsilon >= 0 && !double.IsInfinity(Epsilon), nameof(Epsilon), Epsilon, "finite and non-negative");
        Check(SpectrumTuning >= 0 && SpectrumTuning <= 1, nameof(SpectrumTuning), SpectrumTuning, "in [0, 1]");
        Check(NoiseStdDev >= 0 && !double.IsInfinity(NoiseStdDev), nameof(NoiseStdDev), NoiseStdDev, "finite and non-negative");
        Check(Momentum >= 0 && !double.IsInfinity(Momentum), nameof(Momentum), Momentum, "finite and non-negative");
        Check(SmoothingKernelSize >= 1 && SmoothingKernelSize % 2 == 1, nameof(SmoothingKernelSize), SmoothingKernelSize, "odd and at least 1");
        Check(DiversityProbability >= 0 && DiversityProbability <= 1, nameof(DiversityProbability), DiversityProbability, "in [0, 1]");
        Check(DiversityResizeRate >= 1 && DiversityResizeRate <= 4, nameof(DiversityResizeRate), DiversityResizeRate, "in [1, 4]");
        Check(MinValue < MaxValue && !double.IsInfinity(MinValue) && !double.IsInfinity(MaxValue), nameof(MinValue) + "/" + nameof(MaxValue), $"{MinValue}/{MaxValue}", "finite with MinValue < MaxValue");
    }

    private static void Check(bool valid, string option, object value, string expected)
    {
        if (!valid)
        {
            throw new ArgumentException($"AttEXplore's {option} must be {expected}; got {value}.", "options");
        }
    }
}
