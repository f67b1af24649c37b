using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// GradientSHAP (Lundberg and Lee 2017, Captum's <c>GradientShap</c>): expected gradients over random baselines and
/// random points on the path to the (optionally noisy) input. Per sample, x~ = x + N(0, StdDev^2), a baseline b drawn
/// uniformly from the baseline distribution, alpha ~ U(0, 1), and a = (x~ - b) * grad F(b + alpha (x~ - b)); the
/// result is the mean over <see cref="GradientShapOptions.Samples"/> samples.
/// </summary>
/// <remarks>
/// <para>
/// Baselines are a distribution [B, ...] of reference images (<see cref="Attribute(Tensor, Tensor, Tensor?)"/>); null
/// (and <see cref="AttributionMethod.Attribute"/>) take one all-zero image, Captum's required argument made optional.
/// </para>
/// <para>
/// Randomness follows <see cref="SmoothGrad"/>'s convention: per sample, in sample order, the seeded
/// <see cref="Generator"/> draws the noise image (only when <see cref="GradientShapOptions.StdDev"/> &gt; 0), the
/// baseline index and alpha once, shared by the images of the batch (Captum draws the baseline and alpha per image;
/// each image's draws have the same distribution). Samples are summed in that order, so results repeat for a seed
/// and depend neither on <see cref="GradientShapOptions.MaxImagesPerForward"/> nor on the batch an image is in.
/// </para>
/// <para>
/// <see cref="AttributeWithDelta(Tensor, Tensor, Tensor?)"/> gives per example the mean over samples of Captum's
/// delta sum(a) - (F(x~) - F(b)); it is small when F is nearly linear along the sampled paths (Captum's tests:
/// mean |delta| &lt; 6e-4 on its toy models).
/// </para>
/// </remarks>
public sealed class GradientShap : AttributionMethod, IBaselineAttributionMethod, IDisposable
{
    private readonly Generator _generator;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes Captum's defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public GradientShap(nn.Module<Tensor, Tensor> model, GradientShapOptions? options = null)
        : base(model)
    {
        Options = options ?? new GradientShapOptions();
        Options.Validate();
        _generator = new Generator(unchecked((ulong)Options.Seed));
    }

    /// <inheritdoc />
    public override string Name => "GradientShap";

    /// <summary>The settings.</summary>
    public GradientShapOptions Options { get; }

    /// <summary>
    /// Attributions against the baseline distribution <paramref name="baselines"/>, from the method's own generator
    /// (seeded with <see cref="GradientShapOptions.Seed"/>; successive calls draw fresh samples).
    /// </summary>
    /// <param name="inputs">Images [N, C, H, W] (any batch-first shape), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="baselines">Reference images [B, ...] to draw from (each broadcasting to one input image, e.g.
    /// [B, C, H, W] or [B, 1, 1, 1]), or a single reference broadcasting to one image; null for one all-zero image.</param>
    /// <returns>The mean attribution over the samples, shaped like <paramref name="inputs"/>; the caller owns it.</returns>
    /// <exception cref="ArgumentException">Inputs, targets, baselines or the model's dtype/device do not fit.</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? baselines) => Run(inputs, targets, baselines, _generator, withDelta: false).Attributions;

    /// <summary>Attributions and the mean per-sample delta per example [N], from the method's own generator.</summary>
    /// <inheritdoc cref="Attribute(Tensor, Tensor, Tensor?)"/>
    public AttributionWithDelta AttributeWithDelta(Tensor inputs, Tensor targets, Tensor? baselines = null) => AttributeWithDelta(inputs, targets, baselines, _generator);

    /// <summary>Attributions and the mean per-sample delta per example [N], with samples drawn from <paramref name="generator"/>.</summary>
    /// <param name="inputs">Images [N, C, H, W] (any batch-first shape), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="baselines">Reference images [B, ...] to draw from; null for one all-zero image.</param>
    /// <param name="generator">A CPU generator.</param>
    /// <exception cref="ArgumentException">Inputs, targets, baselines or the model's dtype/device do not fit.</exception>
    public AttributionWithDelta AttributeWithDelta(Tensor inputs, Tensor targets, Tensor? baselines, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var (attributions, delta) = Run(inputs, targets, baselines, generator, withDelta: true);
        return new AttributionWithDelta(attributions, delta!);
    }

    /// <summary>Frees the method's generator.</summary>
    public void Dispose() => _generator.Dispose();

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Sample(inputs, targets, Distribution(null, inputs), _generator, withDelta: false).Attributions;

    private (Tensor Attributions, Tensor? Delta) Run(Tensor inputs, Tensor targets, Tensor? baselines, Generator generator, bool withDelta)
    {
        AttributionInputs.Check(inputs, targets);
        AttributionInputs.CheckModel(Model, inputs);
        using var mode = new EvalMode(Model);
        using var scope = NewDisposeScope();
        var x = inputs.detach();
        var distribution = Distribution(baselines, x);
        var (attributions, delta) = Sample(x, targets.to_type(ScalarType.Int64).to(x.device), distribution, generator, withDelta);
        return (attributions.detach().MoveToOuterDisposeScope(), delta?.detach().MoveToOuterDisposeScope());
    }

    /// <summary>The baseline distribution as [B, ...image shape] in the inputs' dtype and device.</summary>
    private static Tensor Distribution(Tensor? baselines, Tensor inputs)
    {
        long[] image = inputs.shape[1..];
        if (baselines is null)
        {
            return zeros([1, .. image], inputs.dtype, inputs.device);
        }

        if (!baselines.is_floating_point())
        {
            throw new ArgumentException($"baselines must be floating point; got {baselines.dtype}.", nameof(baselines));
        }

        var shape = baselines.shape;
        bool distribution = shape.Length == inputs.dim() && shape[0] >= 1 && Baselines.Broadcasts(shape[1..], image);
        if (!distribution && !(shape.Length < inputs.dim() && Baselines.Broadcasts(shape, image)))
        {
            throw new ArgumentException(
                $"baselines [{AttributionInputs.Shape(baselines)}] must be a distribution [B, {string.Join(", ", image)}] of reference images (or a single reference broadcasting to [{string.Join(", ", image)}]) for inputs [{AttributionInputs.Shape(inputs)}].",
                nameof(baselines));
        }

        var b = baselines.detach().to(inputs.dtype).to(inputs.device);
        return distribution ? b.expand([shape[0], .. image]) : b.expand(image).unsqueeze(0);
    }

    private (Tensor Attributions, Tensor? Delta) Sample(Tensor x, Tensor targets, Tensor distribution, Generator generator, bool withDelta)
    {
        var o = Options;
        long n = x.shape[0];
        long[] oneImage = [1, .. x.shape[1..]];
        var sum = zeros_like(x);
        var deltaSum = withDelta ? zeros(n, x.dtype, x.device) : null;
        int samplesPerForward = (int)Math.Clamp(o.MaxImagesPerForward / n, 1, o.Samples);
        for (int done = 0; done < o.Samples; done += samplesPerForward)
        {
            using var chunkScope = NewDisposeScope();
            int k = Math.Min(samplesPerForward, o.Samples - done);
            var noisy = new Tensor[k];
            var references = new Tensor[k];
            var points = new Tensor[k];
            for (int s = 0; s < k; s++)
            {
                // Drawn per sample in a fixed order and shared by the batch, so the chunking and the batch do not matter.
                noisy[s] = o.StdDev > 0 ? x + randn(oneImage, ScalarType.Float32, generator: generator).to(x.dtype).to(x.device) * o.StdDev : x;
                references[s] = distribution[randint_long(distribution.shape[0], generator)].unsqueeze(0).expand(x.shape);
                double alpha = rand([1], ScalarType.Float32, generator: generator).item<float>();
                points[s] = references[s] + (noisy[s] - references[s]) * alpha;
            }

            var repeated = targets.repeat(k);
            var gradients = TargetGradients(cat(points, 0), repeated, o.MaxImagesPerForward).view([k, .. x.shape]);
            var scores = withDelta ? Scores(cat([.. noisy, .. references], 0), targets.repeat(2 * k), o.MaxImagesPerForward).view(2, k, n) : null;
            for (int s = 0; s < k; s++)
            {
                var a = o.MultiplyByInputs ? (noisy[s] - references[s]) * gradients[s] : gradients[s];
                sum.add_(a);
                deltaSum?.add_(IntegratedGradients.Delta(a, scores![0, s], scores[1, s]));
            }
        }

        return (sum.div_(o.Samples), deltaSum?.div_(o.Samples));
    }
}
