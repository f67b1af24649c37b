using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// SmoothGrad of saliency (Smilkov et al. 2017), seed 001's robust attribution (Eq. 4): the mean over n noisy
/// copies x + N(0, sigma^2) of the saliency map, as Captum's <c>NoiseTunnel(Saliency, nt_type="smoothgrad")</c>.
/// </summary>
/// <remarks>
/// sigma is relative to each example's range by default (<see cref="SmoothGradOptions.NoiseLevel"/>) or absolute.
/// Noise comes from a seeded <see cref="Generator"/>, one draw per sample in sample order, shared by the images of
/// a batch (each scaled by its own sigma; Captum draws per image), and samples are summed in that order, so results
/// repeat for a seed and depend neither on the chunk sizes nor on which other images share the batch. The model runs in
/// eval mode during the call (restored after) and is protected with <see cref="ModuleProtection.Protect"/>.
/// It is <see cref="NoiseTunnel"/> of <see cref="Saliency"/> with type SmoothGrad, with seed 001's defaults.
/// </remarks>
public sealed class SmoothGrad : IAttributionMethod, IDisposable
{
    private readonly NoiseTunnel _tunnel;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    public SmoothGrad(nn.Module<Tensor, Tensor> model, SmoothGradOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new SmoothGradOptions();
        Options.Validate();
        var o = Options;
        _tunnel = new NoiseTunnel(new Saliency(model, o.Absolute), new NoiseTunnelOptions
        {
            Type = NoiseTunnelType.SmoothGrad, Samples = o.Samples, NoiseLevel = o.NoiseLevel, AbsoluteStdDev = o.AbsoluteStdDev,
            SamplesPerForward = o.SamplesPerForward, MaxImagesPerForward = o.MaxImagesPerForward, Seed = o.Seed,
        });
    }

    /// <inheritdoc />
    public string Name => "SmoothGrad";

    /// <summary>The settings.</summary>
    public SmoothGradOptions Options { get; }

    /// <summary>
    /// Attributions from the method's own generator (seeded with <see cref="SmoothGradOptions.Seed"/>): a new
    /// instance repeats the same sequence of results; successive calls draw fresh noise.
    /// </summary>
    /// <inheritdoc />
    public Tensor Attribute(Tensor inputs, Tensor targets) => _tunnel.Attribute(inputs, targets);

    /// <summary>Attributions shaped like <paramref name="inputs"/>, with noise from <paramref name="generator"/>.</summary>
    /// <param name="inputs">Images [N, C, H, W] (any batch-first shape), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="generator">A CPU generator; noise is drawn on it and moved to the inputs' device.</param>
    /// <returns>The mean map over the samples; the caller owns it.</returns>
    /// <exception cref="ArgumentException">Inputs, targets or the model's dtype/device do not fit (see <see cref="AttributionMethod.Attribute"/>).</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Generator generator) => _tunnel.Attribute(inputs, targets, generator);

    /// <summary>Frees the method's noise generator.</summary>
    public void Dispose() => _tunnel.Dispose();
}
