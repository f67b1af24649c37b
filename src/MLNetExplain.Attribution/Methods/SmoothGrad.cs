using MLNetExplain.Torch;

namespace MLNetExplain.Attribution.Methods;

/// <summary>Options of <see cref="SmoothGrad"/>.</summary>
public sealed record SmoothGradOptions
{
    /// <summary>Noisy samples per input (seed 001 uses 50; Captum's NoiseTunnel default is 5).</summary>
    public int Samples { get; init; } = 50;

    /// <summary>
    /// Noise standard deviation relative to each example's value range: sigma = level * (max(x) - min(x)),
    /// Smilkov et al.'s "noise level" (0.15 as in PAIR saliency).
    /// </summary>
    public double NoiseLevel { get; init; } = 0.15;

    /// <summary>An absolute sigma overriding <see cref="NoiseLevel"/> (Captum's <c>stdevs</c>), or null.</summary>
    public double? AbsoluteStdDev { get; init; }

    /// <summary>Take |gradient| per sample before averaging (Captum's Saliency inside NoiseTunnel); false averages raw gradients.</summary>
    public bool Absolute { get; init; } = true;

    /// <summary>Noisy samples evaluated per forward pass (fewer when <see cref="MaxImagesPerForward"/> binds).</summary>
    public int SamplesPerForward { get; init; } = 10;

    /// <summary>
    /// The most images (batch x samples) in one forward pass: bounds memory for large batches, where a whole
    /// chunk of samples would otherwise reach gigabytes and be allocated afresh on every pass.
    /// </summary>
    public int MaxImagesPerForward { get; init; } = 256;
}

/// <summary>
/// SmoothGrad of saliency (Smilkov et al. 2017): the mean over n noisy copies x + N(0, sigma^2) of the saliency
/// map, as Captum's NoiseTunnel(Saliency, nt_type="smoothgrad"). Noise is drawn from a caller-supplied generator,
/// so results repeat for a seed; samples are chunked (<see cref="SmoothGradOptions.SamplesPerForward"/>) and the
/// result does not depend on the chunk size.
/// </summary>
public sealed class SmoothGrad
{
    private readonly Func<Tensor, Tensor> _forward;
    private readonly Saliency _saliency;

    /// <summary>Creates the method over a forward function.</summary>
    public SmoothGrad(Func<Tensor, Tensor> forward, SmoothGradOptions? options = null)
    {
        _forward = forward ?? throw new ArgumentNullException(nameof(forward));
        _saliency = new Saliency(forward);
        Options = options ?? new SmoothGradOptions();
        if (Options.Samples < 1 || Options.SamplesPerForward < 1 || Options.MaxImagesPerForward < 1 || Options.NoiseLevel < 0)
        {
            throw new ArgumentException("SmoothGrad needs Samples, SamplesPerForward and MaxImagesPerForward >= 1 and NoiseLevel >= 0.");
        }
    }

    /// <summary>The settings.</summary>
    public SmoothGradOptions Options { get; }

    /// <summary>
    /// Attributions shaped like <paramref name="inputs"/> for class indices <paramref name="target"/> (null: the
    /// predicted class of the clean input). The caller owns the result.
    /// </summary>
    public Tensor Attribute(Tensor inputs, Tensor? target, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = Torch.Torch.NewDisposeScope();
        var n = inputs.Size(0);
        long[] perExample = [n, .. Enumerable.Repeat(1L, inputs.Dim - 1)];
        Tensor sigma;
        if (Options.AbsoluteStdDev is { } absolute)
        {
            sigma = Tensor.Full(perExample, absolute, inputs.Type, inputs.Device);
        }
        else
        {
            var flat = inputs.Detach().Flatten(1);
            sigma = ((flat.Max(1).Values - flat.Min(1).Values) * Options.NoiseLevel).View(perExample);
        }

        Tensor classes;
        using (Torch.Torch.NoGrad())
        {
            classes = target ?? _forward(inputs).Argmax(1);
        }

        var sum = inputs.ZerosLike();
        var perForward = (int)Math.Max(1, Math.Min(Options.SamplesPerForward, Options.MaxImagesPerForward / n));
        for (var done = 0; done < Options.Samples; done += perForward)
        {
            using var chunkScope = Torch.Torch.NewDisposeScope();
            var k = Math.Min(perForward, Options.Samples - done);
            // k noisy copies of the batch, sample-major: [k * N, ...].
            var repeated = inputs.Detach().Repeat([k, .. Enumerable.Repeat(1L, inputs.Dim - 1)]);
            // One draw per sample, in sample order, so the noise (and the result) does not depend on the chunk size.
            var noise = Tensor.Cat(Enumerable.Range(0, k).Select(_ => Tensor.Randn(inputs.Shape, generator, inputs.Type, inputs.Device) * sigma).ToArray());
            var maps = _saliency.Attribute(repeated + noise, classes.Repeat(k), Options.Absolute);
            sum.Add_(maps.View([k, .. inputs.Shape]).Sum(0));
        }

        return (sum / Options.Samples).MoveToOuterDisposeScope();
    }
}
