using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// LIME (Ribeiro et al. 2016) with Captum's defaults (<c>Lime</c>): features of a mask are switched on or off at
/// random (Bernoulli 0.5; off means the baseline), each sample is weighted by its similarity to the example, and a
/// Lasso surrogate (alpha 0.01) fitted to the target logits gives one coefficient per feature, spread over the
/// feature's elements.
/// </summary>
/// <remarks>
/// <para>
/// Similarity is Captum's exponential kernel on the cosine distance d between the flattened example and its
/// perturbed copy: exp(-d^2 / (2 width^2)) with width 1 (the norms clamped at 1e-8, as PyTorch's cosine similarity
/// does). The surrogate is fitted per example with an unpenalised intercept, as scikit-learn's Lasso (see
/// <see cref="WeightedLasso"/>). The default mask differs from Captum's: images are grouped into
/// <see cref="LimeOptions.SuperpixelSize"/> squares, because 25 samples cannot fit one coefficient per pixel.
/// </para>
/// <para>
/// The feature draws come from a generator seeded with <see cref="LimeOptions.Seed"/> at every call and are shared
/// by the examples of a batch (Captum draws per example, from the global generator): with a mask shared by the batch
/// an image's map depends neither on the batch nor on <see cref="LimeOptions.PerturbationsPerEval"/>, and a seed
/// repeats it. As in Captum the number of features is the largest mask id + 1 over the whole mask.
/// </para>
/// </remarks>
public sealed class Lime : AttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public Lime(nn.Module<Tensor, Tensor> model, LimeOptions? options = null)
        : base(model)
    {
        Options = options ?? new LimeOptions();
        Options.Validate();
    }

    /// <inheritdoc />
    public override string Name => "Lime";

    /// <summary>The settings.</summary>
    public LimeOptions Options { get; }

    /// <summary>Attributions of <paramref name="inputs"/> for the features of <paramref name="featureMask"/>.</summary>
    /// <param name="inputs">A batch [N, ...] (images [N, C, H, W]), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="featureMask">Integer feature ids shaped like one example or the batch (see <see cref="FeatureMasks"/>);
    /// null takes <see cref="LimeOptions.SuperpixelSize"/>.</param>
    /// <param name="baselines">What a removed feature becomes, broadcastable to the inputs; null takes
    /// <see cref="LimeOptions.BaselineValue"/>.</param>
    /// <param name="generator">A CPU generator to draw the samples from (successive calls then differ); null starts one
    /// from <see cref="LimeOptions.Seed"/>.</param>
    /// <returns>Each feature's surrogate coefficient on its elements, shaped like the inputs; the caller owns it.</returns>
    /// <exception cref="ArgumentException">The inputs, targets, mask or baselines do not fit (the message names which).</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? featureMask, Tensor? baselines = null, Generator? generator = null) =>
        Run(inputs, targets, (x, t) => Explain(x, t, featureMask, baselines, generator));

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Explain(inputs, targets, null, null, null);

    private Tensor Explain(Tensor inputs, Tensor targets, Tensor? featureMask, Tensor? baselines, Generator? generator)
    {
        var o = Options;
        var (mask, features) = FeatureMasks.Resolve(featureMask, inputs, o.SuperpixelSize, nameof(LimeOptions.SuperpixelSize));
        var reference = Baselines.Resolve(baselines, inputs, o.BaselineValue);
        using var seeded = generator is null ? new Generator(unchecked((ulong)o.Seed)) : null;
        // Captum's default perturbation: every feature present with probability 0.5, drawn in Float32 on the CPU so
        // that the draws do not depend on the inputs' dtype or device.
        var present = rand([o.Samples, features], ScalarType.Float32, generator: generator ?? seeded) < 0.5;
        var (scores, distances) = EvaluateCoalitions(inputs, targets, reference, mask, present, o.PerturbationsPerEval,
            (x, t) => Scores(x, t, int.MaxValue), cosineDistances: true);
        var similarity = (-distances!.square() / (2 * o.KernelWidth * o.KernelWidth)).exp();
        var design = Values(present);
        var y = Values(scores.t());
        var weights = Values(similarity.t());
        long n = inputs.shape[0];
        var coefficients = new double[n * features];
        for (long i = 0; i < n; i++)
        {
            var fitted = WeightedLasso.Fit(design, (int)features, Row(y, i, o.Samples), Row(weights, i, o.Samples), o.Alpha);
            fitted.CopyTo(coefficients, i * features);
        }

        return Spread(coefficients, features, mask, inputs);
    }

    /// <summary>
    /// The target logits [S, N] of the batch with the features of each coalition present (the rest at the baseline),
    /// coalitions <paramref name="present"/> [S, M] (Bool, CPU) evaluated <paramref name="perEval"/> per forward
    /// pass; with <paramref name="cosineDistances"/> also each perturbed copy's cosine distance to its example [S, N].
    /// </summary>
    internal static (Tensor Scores, Tensor? Distances) EvaluateCoalitions(Tensor inputs, Tensor targets, Tensor baselines, Tensor mask,
        Tensor present, int perEval, Func<Tensor, Tensor, Tensor> scores, bool cosineDistances)
    {
        long n = inputs.shape[0];
        long samples = present.shape[0];
        var onDevice = present.to(inputs.device);
        var flatMask = mask.reshape(-1);
        var flatInputs = inputs.flatten(1);
        var inputNorms = flatInputs.square().sum(1).sqrt().clamp_min(1e-8);
        var outputs = new List<Tensor>();
        var distances = new List<Tensor>();
        for (long start = 0; start < samples; start += perEval)
        {
            long k = Math.Min(perEval, samples - start);
            var kept = onDevice.narrow(0, start, k).index_select(1, flatMask).view([k, .. mask.shape]);
            var perturbed = where(kept, inputs.unsqueeze(0), baselines.unsqueeze(0));
            outputs.Add(scores(perturbed.flatten(0, 1), targets.repeat(k)).view(k, n));
            if (cosineDistances)
            {
                var flat = perturbed.flatten(2);
                var cosine = (flat * flatInputs.unsqueeze(0)).sum(2) / (flat.square().sum(2).sqrt().clamp_min(1e-8) * inputNorms.unsqueeze(0));
                distances.Add(1 - cosine);
            }
        }

        return (cat(outputs, 0), cosineDistances ? cat(distances, 0) : null);
    }

    /// <summary>Per-example coefficients [N x M] spread over the mask's elements: a map shaped like the inputs.</summary>
    internal static Tensor Spread(double[] coefficients, long features, Tensor mask, Tensor inputs)
    {
        long n = inputs.shape[0];
        var table = tensor(coefficients, [n, features]).to(inputs.dtype).to(inputs.device);
        var ids = mask.expand([n, .. mask.shape[1..]]).reshape(n, -1);
        return table.gather(1, ids).view(inputs.shape);
    }

    /// <summary>A tensor's values as a row-major double array.</summary>
    internal static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();

    /// <summary>Row <paramref name="row"/> of a row-major array with <paramref name="width"/> columns.</summary>
    internal static double[] Row(double[] values, long row, int width) => values.AsSpan((int)(row * width), width).ToArray();
}
