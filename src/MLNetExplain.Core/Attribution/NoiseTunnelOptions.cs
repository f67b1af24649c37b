namespace MLNetExplain.Attribution;

/// <summary>How <see cref="NoiseTunnel"/> combines the attributions of the noisy samples (Captum's <c>nt_type</c>).</summary>
public enum NoiseTunnelType
{
    /// <summary>The mean attribution E[a] (Captum's <c>"smoothgrad"</c>; Smilkov et al. 2017).</summary>
    SmoothGrad,

    /// <summary>The mean squared attribution E[a^2] (Captum's <c>"smoothgrad_sq"</c>).</summary>
    SmoothGradSquared,

    /// <summary>The variance E[a^2] - E[a]^2 (Captum's <c>"vargrad"</c>; Adebayo et al. 2018).</summary>
    VarGrad,
}

/// <summary>
/// Options of <see cref="NoiseTunnel"/>. Captum's defaults except the noise: 5 samples and SmoothGrad, but sigma
/// relative to each example's range (0.15 (max - min), Smilkov et al.'s noise level, as <see cref="SmoothGradOptions"/>)
/// rather than Captum's absolute <c>stdevs=1.0</c>; set <see cref="AbsoluteStdDev"/> = 1.0 for Captum's.
/// </summary>
public sealed record NoiseTunnelOptions
{
    /// <summary>How the samples' attributions are combined.</summary>
    public NoiseTunnelType Type { get; init; } = NoiseTunnelType.SmoothGrad;

    /// <summary>Noisy samples per input (Captum's <c>nt_samples</c>, default 5).</summary>
    public int Samples { get; init; } = 5;

    /// <summary>
    /// Noise standard deviation relative to each example's value range: sigma = level * (max(x) - min(x)) (Smilkov et
    /// al.'s "noise level"; 0.15 as in PAIR saliency). Ignored when <see cref="AbsoluteStdDev"/> is set.
    /// </summary>
    public double NoiseLevel { get; init; } = 0.15;

    /// <summary>An absolute sigma in input units (Captum's <c>stdevs</c>, whose default is 1.0), overriding <see cref="NoiseLevel"/>; null for none.</summary>
    public double? AbsoluteStdDev { get; init; }

    /// <summary>Noisy samples given to the inner method per call (Captum's <c>nt_samples_batch_size</c>; fewer when <see cref="MaxImagesPerForward"/> binds).</summary>
    public int SamplesPerForward { get; init; } = 10;

    /// <summary>
    /// The most images (examples x samples) given to the inner method in one call; bounds memory. Results do not
    /// depend on it, nor on <see cref="SamplesPerForward"/>, when the inner method's results do not depend on its batch.
    /// </summary>
    public int MaxImagesPerForward { get; init; } = 256;

    /// <summary>Seed of the noise generator the method creates for <see cref="NoiseTunnel.Attribute(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)"/>.</summary>
    public long Seed { get; init; }

    internal void Validate()
    {
        if (Samples < 1 || SamplesPerForward < 1 || MaxImagesPerForward < 1)
        {
            throw new ArgumentException($"NoiseTunnel needs Samples, SamplesPerForward and MaxImagesPerForward >= 1; got {Samples}, {SamplesPerForward}, {MaxImagesPerForward}.", "options");
        }

        if (!(NoiseLevel >= 0) || AbsoluteStdDev is { } s && !(s >= 0))
        {
            throw new ArgumentException($"NoiseTunnel's NoiseLevel and AbsoluteStdDev must be non-negative; got {NoiseLevel} and {AbsoluteStdDev}.", "options");
        }

        if (!Enum.IsDefined(Type))
        {
            throw new ArgumentException($"NoiseTunnel's Type {(int)Type} is not a NoiseTunnelType.", "options");
        }
    }
}
