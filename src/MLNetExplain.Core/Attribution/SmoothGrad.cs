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
/// </remarks>
public sealed class SmoothGrad : IAttributionMethod, IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly Generator _generator;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    public SmoothGrad(nn.Module<Tensor, Tensor> model, SmoothGradOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new SmoothGradOptions();
        Options.Validate();
        ModuleProtection.Protect(model);
        _generator = new Generator(unchecked((ulong)Options.Seed));
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
    public Tensor Attribute(Tensor inputs, Tensor targets) => Attribute(inputs, targets, _generator);

    /// <summary>Attributions shaped like <paramref name="inputs"/>, with noise from <paramref name="generator"/>.</summary>
    /// <param name="inputs">Images [N, C, H, W] (any batch-first shape), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="generator">A CPU generator; noise is drawn on it and moved to the inputs' device.</param>
    /// <returns>The mean map over the samples; the caller owns it.</returns>
    /// <exception cref="ArgumentException">Inputs, targets or the model's dtype/device do not fit (see <see cref="AttributionMethod.Attribute"/>).</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        AttributionInputs.Check(inputs, targets);
        AttributionInputs.CheckModel(_model, inputs);
        using var mode = new EvalMode(_model);
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

        var sum = zeros_like(x);
        int samplesPerForward = (int)Math.Clamp(o.MaxImagesPerForward / n, 1, o.SamplesPerForward);
        for (int done = 0; done < o.Samples; done += samplesPerForward)
        {
            using var chunkScope = NewDisposeScope();
            int k = Math.Min(samplesPerForward, o.Samples - done);
            // One draw per sample, in sample order, shared by every image of the batch (scaled by each image's own
            // sigma): an image's noise then depends neither on the chunk size nor on the batch it is in, so a batched
            // pipeline pass and a one-row PredictionEngine give the same map. Drawn in Float32 whatever the inputs'
            // dtype, so a Float64 run sees the same noise as a Float32 one.
            long[] oneImage = [1, .. x.shape.Skip(1)];
            var noise = stack(Enumerable.Range(0, k).Select(_ => randn(oneImage, ScalarType.Float32, generator: generator)).ToArray()).to(x.dtype).to(x.device);
            var noisy = (x.unsqueeze(0) + noise * sigma.unsqueeze(0)).flatten(0, 1);
            var repeated = targets.repeat(k);
            var maps = new List<Tensor>();
            for (long start = 0; start < k * n; start += o.MaxImagesPerForward)
            {
                long count = Math.Min(o.MaxImagesPerForward, k * n - start);
                maps.Add(Saliency.Gradient(_model, noisy.narrow(0, start, count), repeated.narrow(0, start, count), o.Absolute));
            }

            var perSample = cat(maps, 0).view([k, .. x.shape]);
            for (int s = 0; s < k; s++)
            {
                // Summed one sample at a time so that the rounding does not depend on the chunking either.
                sum.add_(perSample[s]);
            }
        }

        return sum.div_(o.Samples).MoveToOuterDisposeScope();
    }

    /// <summary>Frees the method's noise generator.</summary>
    public void Dispose() => _generator.Dispose();
}
