namespace MLNetExplain.Attribution;

/// <summary>Options of <see cref="SmoothGrad"/>. Defaults follow seed 001 (50 samples) and PAIR saliency (noise level 0.15).</summary>
public sealed record SmoothGradOptions
{
    /// <summary>Noisy samples per input (seed 001 uses 50; Captum's NoiseTunnel default is 5).</summary>
    public int Samples { get; init; } = 50;

    /// <summary>
    /// Noise standard deviation relative to each example's value range: sigma = level * (max(x) - min(x)), Smilkov
    /// et al.'s "noise level" (0.15 as in PAIR saliency). Ignored when <see cref="AbsoluteStdDev"/> is set.
    /// </summary>
    public double NoiseLevel { get; init; } = 0.15;

    /// <summary>An absolute sigma in input units (Captum's <c>stdevs</c>), overriding <see cref="NoiseLevel"/>; null for none.</summary>
    public double? AbsoluteStdDev { get; init; }

    /// <summary>
    /// Take |gradient| per sample before averaging (Captum's default Saliency inside NoiseTunnel); false averages
    /// the signed gradients (the textbook SmoothGrad).
    /// </summary>
    public bool Absolute { get; init; } = true;

    /// <summary>Noisy samples evaluated per forward pass (fewer when <see cref="MaxImagesPerForward"/> binds).</summary>
    public int SamplesPerForward { get; init; } = 10;

    /// <summary>
    /// The most images (examples x samples) in one forward pass; bounds memory for large batches. Results do not
    /// depend on it, nor on <see cref="SamplesPerForward"/>.
    /// </summary>
    public int MaxImagesPerForward { get; init; } = 256;

    /// <summary>Seed of the noise generator the method creates for <see cref="SmoothGrad.Attribute(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)"/>.</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Samples < 1 || SamplesPerForward < 1 || MaxImagesPerForward < 1)
        {
            throw new ArgumentException($"SmoothGrad needs Samples, SamplesPerForward and MaxImagesPerForward >= 1; got {Samples}, {SamplesPerForward}, {MaxImagesPerForward}.", "options");
        }

        if (!(NoiseLevel >= 0) || AbsoluteStdDev is { } s && !(s >= 0))
        {
            throw new ArgumentException($"SmoothGrad's NoiseLevel and AbsoluteStdDev must be non-negative; got {NoiseLevel} and {AbsoluteStdDev}.", "options");
        }
    }
}
