using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Captum's <c>NoiseTunnel</c> over any attribution method: the method's attributions of noisy copies
/// x + N(0, sigma^2) combined as their mean (SmoothGrad, Smilkov et al. 2017), mean square, or variance (VarGrad,
/// Adebayo et al. 2018).
/// </summary>
/// <remarks>
/// <para>
/// Noise follows <see cref="SmoothGrad"/>'s convention: sigma is relative to each example's range by default
/// (<see cref="NoiseTunnelOptions.NoiseLevel"/>) or absolute; the seeded <see cref="Generator"/> gives one Float32 draw
/// per sample, in sample order, shared by the images of the batch and scaled by each image's sigma (Captum draws
/// per image; each image's noise has the same distribution). Samples are combined in that order. So results repeat
/// for a seed and depend neither on the chunk sizes nor on which other images share the batch, provided the inner
/// method's results do not (a seeded inner method draws its own numbers per call, so its results do depend on
/// the chunking). <c>NoiseTunnel(new Saliency(model))</c> with the same settings and seed gives
/// <see cref="SmoothGrad"/>'s maps.
/// </para>
/// <para>The inner method is the caller's: the tunnel does not dispose it.</para>
/// </remarks>
public sealed class NoiseTunnel : IAttributionMethod, IDisposable
{
    private readonly Generator _generator;

    /// <summary>Creates the tunnel over <paramref name="method"/>.</summary>
    /// <param name="method">The attribution method applied to every noisy sample (e.g. <see cref="Saliency"/>, <see cref="IntegratedGradients"/>).</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public NoiseTunnel(IAttributionMethod method, NoiseTunnelOptions? options = null)
    {
        Method = method ?? throw new ArgumentNullException(nameof(method));
        Options = options ?? new NoiseTunnelOptions();
        Options.Validate();
        _generator = new Generator(unchecked((ulong)Options.Seed));
    }

    /// <inheritdoc />
    public string Name => "NoiseTunnel";

    /// <summary>The method applied to the noisy samples.</summary>
    public IAttributionMethod Method { get; }

    /// <summary>The settings.</summary>
    public NoiseTunnelOptions Options { get; }

    /// <summary>
    /// Attributions from the tunnel's own generator (seeded with <see cref="NoiseTunnelOptions.Seed"/>): a new
    /// instance repeats the same sequence of results; successive calls draw fresh noise.
    /// </summary>
    /// <inheritdoc />
    public Tensor Attribute(Tensor inputs, Tensor targets) => Attribute(inputs, targets, _generator);

    /// <summary>Attributions shaped like <paramref name="inputs"/>, with noise from <paramref name="generator"/>.</summary>
    /// <param name="inputs">Images [N, C, H, W] (any batch-first shape), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="generator">A CPU generator; noise is drawn on it and moved to the inputs' device.</param>
    /// <returns>The combined map over the samples; the caller owns it.</returns>
    /// <exception cref="ArgumentException">Inputs or targets do not fit, or the inner method refuses them.</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        AttributionInputs.Check(inputs, targets);
        using var scope = NewDisposeScope();
        var o = Options;
        long n = inputs.shape[0];
        var x = inputs.detach();
        long[] perExample = [n, .. Enumerable.Repeat(1L, (int)x.dim() - 1)];
        Tensor sigma;
        if (o.AbsoluteStdDev is { } absolute)
        {
            sigma = full(perExample, absolute, x.dtype, x.device);
        }
        else
        {
            var flat = x.flatten(1);
            sigma = ((flat.amax([1]) - flat.amin([1])) * o.NoiseLevel).view(perExample);
        }

        var sum = o.Type == NoiseTunnelType.SmoothGradSquared ? null : zeros_like(x);
        var squares = o.Type == NoiseTunnelType.SmoothGrad ? null : zeros_like(x);
        int samplesPerForward = (int)Math.Clamp(o.MaxImagesPerForward / n, 1, o.SamplesPerForward);
        long[] oneImage = [1, .. x.shape.Skip(1)];
        for (int done = 0; done < o.Samples; done += samplesPerForward)
        {
            using var chunkScope = NewDisposeScope();
            int k = Math.Min(samplesPerForward, o.Samples - done);
            // SmoothGrad's draws exactly: one Float32 draw per sample in sample order, shared by the batch.
            var noise = stack(Enumerable.Range(0, k).Select(_ => randn(oneImage, ScalarType.Float32, generator: generator)).ToArray()).to(x.dtype).to(x.device);
            var noisy = (x.unsqueeze(0) + noise * sigma.unsqueeze(0)).flatten(0, 1);
            var repeated = targets.repeat(k);
            var maps = new List<Tensor>();
            for (long start = 0; start < k * n; start += o.MaxImagesPerForward)
            {
                long count = Math.Min(o.MaxImagesPerForward, k * n - start);
                maps.Add(Method.Attribute(noisy.narrow(0, start, count), repeated.narrow(0, start, count)));
            }

            var perSample = cat(maps, 0).view([k, .. x.shape]).to(x.dtype);
            for (int s = 0; s < k; s++)
            {
                // One sample at a time, in order, so the rounding does not depend on the chunking.
                sum?.add_(perSample[s]);
                squares?.add_(perSample[s].square());
            }
        }

        var result = o.Type switch
        {
            NoiseTunnelType.SmoothGrad => sum!.div_(o.Samples),
            NoiseTunnelType.SmoothGradSquared => squares!.div_(o.Samples),
            _ => squares!.div_(o.Samples).sub_(sum!.div_(o.Samples).square()),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Whether <see cref="Dispose"/> also disposes <see cref="Method"/>: set by stages that create the inner method.</summary>
    internal bool OwnsMethod { get; init; }

    /// <summary>Frees the tunnel's noise generator (not the caller's inner method).</summary>
    public void Dispose()
    {
        _generator.Dispose();
        if (OwnsMethod)
        {
            (Method as IDisposable)?.Dispose();
        }
    }
}
