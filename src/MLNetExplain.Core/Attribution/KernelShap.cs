using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Kernel SHAP (Lundberg and Lee 2017) as Captum's <c>KernelShap</c>: Shapley values of the features of a mask
/// estimated by a weighted linear regression of the target logit on sampled coalitions (absent features at the
/// baseline), the regression's coefficients spread over each feature's elements.
/// </summary>
/// <remarks>
/// <para>
/// Captum's sampling: the first two coalitions are all features present and all absent, with weight 10^6 (standing
/// in for the Shapley kernel's infinite weight, so the fit nearly satisfies F(x) - F(baseline) = sum of the
/// coefficients); each further coalition draws its size k from p(k) proportional to (M - 1) / (k (M - k)),
/// k = 1..M-1, and then k features uniformly (the k largest of M normal draws), with weight 1. Sampling sizes this
/// way and subsets uniformly applies the Shapley kernel (M - 1) / (k (M - k) C(M, k)) by frequency. The fit is
/// scikit-learn's weighted <c>LinearRegression</c> with an intercept, minimum-norm when underdetermined
/// (<see cref="WeightedLeastSquares"/>). With one feature only the two end coalitions are evaluated. For a linear
/// model the coefficients are exactly w_i (x_i - b_i) summed over each feature.
/// </para>
/// <para>
/// The default mask differs from Captum's: images are grouped into <see cref="KernelShapOptions.SuperpixelSize"/>
/// squares. Draws come from a generator seeded with <see cref="KernelShapOptions.Seed"/> at every call and are shared
/// by the examples of a batch (Captum draws per example from the global generator): with a mask shared by the batch
/// an image's map depends neither on the batch nor on <see cref="KernelShapOptions.PerturbationsPerEval"/>.
/// </para>
/// </remarks>
public sealed class KernelShap : AttributionMethod
{
    /// <summary>Captum's weight for the all-present and all-absent coalitions (<c>inf_weight</c>).</summary>
    private const double EndWeight = 1e6;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public KernelShap(nn.Module<Tensor, Tensor> model, KernelShapOptions? options = null)
        : base(model)
    {
        Options = options ?? new KernelShapOptions();
        Options.Validate();
    }

    /// <inheritdoc />
    public override string Name => "KernelShap";

    /// <summary>The settings.</summary>
    public KernelShapOptions Options { get; }

    /// <summary>Attributions of <paramref name="inputs"/> for the features of <paramref name="featureMask"/>.</summary>
    /// <param name="inputs">A batch [N, ...] (images [N, C, H, W]), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="featureMask">Integer feature ids shaped like one example or the batch (see <see cref="FeatureMasks"/>);
    /// null takes <see cref="KernelShapOptions.SuperpixelSize"/>.</param>
    /// <param name="baselines">What an absent feature becomes, broadcastable to the inputs; null takes
    /// <see cref="KernelShapOptions.BaselineValue"/>.</param>
    /// <param name="generator">A CPU generator to draw the coalitions from (successive calls then differ); null starts
    /// one from <see cref="KernelShapOptions.Seed"/>.</param>
    /// <returns>Each feature's estimated Shapley value on its elements, shaped like the inputs; the caller owns it.</returns>
    /// <exception cref="ArgumentException">The inputs, targets, mask or baselines do not fit (the message names which).</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? featureMask, Tensor? baselines = null, Generator? generator = null) =>
        Run(inputs, targets, (x, t) => Explain(x, t, featureMask, baselines, generator));

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Explain(inputs, targets, null, null, null);

    private Tensor Explain(Tensor inputs, Tensor targets, Tensor? featureMask, Tensor? baselines, Generator? generator)
    {
        var o = Options;
        var (mask, count) = FeatureMasks.Resolve(featureMask, inputs, o.SuperpixelSize, nameof(KernelShapOptions.SuperpixelSize));
        int features = checked((int)count);
        var reference = Baselines.Resolve(baselines, inputs, o.BaselineValue);
        using var seeded = generator is null ? new Generator(unchecked((ulong)o.Seed)) : null;
        var (design, weights) = Coalitions(features, features == 1 ? 2 : o.Samples, generator ?? seeded!);
        int samples = weights.Length;
        var present = tensor(design, [samples, features]) > 0.5;
        var (scores, _) = Lime.EvaluateCoalitions(inputs, targets, reference, mask, present, o.PerturbationsPerEval,
            (x, t) => Scores(x, t, int.MaxValue), cosineDistances: false);
        var y = Lime.Values(scores.t());
        long n = inputs.shape[0];
        var coefficients = new double[n * features];
        for (long i = 0; i < n; i++)
        {
            WeightedLeastSquares.Fit(design, features, Lime.Row(y, i, samples), weights).CopyTo(coefficients, i * features);
        }

        return Lime.Spread(coefficients, features, mask, inputs);
    }

    /// <summary>The coalitions (row-major 0/1 [samples, M]) and their regression weights, drawn as Captum does.</summary>
    internal static (double[] Design, double[] Weights) Coalitions(int features, int samples, Generator generator)
    {
        var design = new double[samples * features];
        var weights = Enumerable.Repeat(1.0, samples).ToArray();
        Array.Fill(design, 1.0, 0, features);
        weights[0] = weights[1] = EndWeight;
        int drawn = samples - 2;
        if (drawn == 0)
        {
            return (design, weights);
        }

        // p(k) for k = 1..M-1; drawn in Float32 on the CPU, as one block each, so the draws depend only on the generator.
        var cumulative = new double[features];
        for (int k = 1; k < features; k++)
        {
            cumulative[k] = cumulative[k - 1] + (features - 1.0) / (k * (features - k));
        }

        using var uniform = rand([drawn], ScalarType.Float32, generator: generator);
        using var normal = randn([drawn, features], ScalarType.Float32, generator: generator);
        var u = uniform.data<float>().ToArray();
        var z = normal.data<float>().ToArray();
        for (int s = 0; s < drawn; s++)
        {
            double level = u[s] * cumulative[features - 1];
            int size = 1;
            while (size < features - 1 && cumulative[size] <= level)
            {
                size++;
            }

            var row = z.AsSpan(s * features, features).ToArray();
            var order = Enumerable.Range(0, features).OrderByDescending(j => row[j]).ThenBy(j => j).Take(size);
            foreach (int j in order)
            {
                design[(s + 2) * features + j] = 1;
            }
        }

        return (design, weights);
    }
}
