using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Integrated Gradients (Sundararajan et al. 2017) with Captum's conventions: (x - x') times the path integral of
/// the target logit's gradient from the baseline x' to x, approximated as sum_k w_k grad F(x' + alpha_k (x - x'))
/// with 50 Gauss-Legendre points by default (Captum's <c>IntegratedGradients.attribute</c>, <c>method="gausslegendre"</c>).
/// </summary>
/// <remarks>
/// <para>
/// The steps x examples path points go through the model in chunks of at most
/// <see cref="IntegratedGradientsOptions.MaxImagesPerForward"/> (Captum's <c>internal_batch_size</c>), and each
/// example's weighted gradients are summed in step order, so neither the chunk size nor the batch an example is in
/// changes the rounding of its sum.
/// </para>
/// <para>
/// <see cref="AttributionMethod.Attribute"/> uses the constant baseline <see cref="IntegratedGradientsOptions.BaselineValue"/>;
/// <see cref="AttributeWithDelta"/> also returns Captum's convergence delta, sum(attributions) - (F(x) - F(x')) per
/// example, which measures the approximation error when <see cref="IntegratedGradientsOptions.MultiplyByInputs"/> is set.
/// </para>
/// </remarks>
public sealed class IntegratedGradients : AttributionMethod, IBaselineAttributionMethod
{
    private readonly double[] _alphas;
    private readonly double[] _weights;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes Captum's defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public IntegratedGradients(nn.Module<Tensor, Tensor> model, IntegratedGradientsOptions? options = null)
        : base(model)
    {
        Options = options ?? new IntegratedGradientsOptions();
        Options.Validate();
        (_alphas, _weights) = IntegrationRules.Points(Options.Rule, Options.Steps);
    }

    /// <inheritdoc />
    public override string Name => "IntegratedGradients";

    /// <summary>The settings.</summary>
    public IntegratedGradientsOptions Options { get; }

    /// <inheritdoc />
    /// <returns>Attributions shaped and typed like <paramref name="inputs"/>; the caller owns them.</returns>
    /// <exception cref="ArgumentException">Inputs, targets, baselines or the model's dtype/device do not fit.</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? baselines) => Run(inputs, targets, baselines, withDelta: false).Attributions;

    /// <inheritdoc />
    /// <returns>Attributions shaped like <paramref name="inputs"/> and the delta per example [N]; the caller owns them.</returns>
    /// <exception cref="ArgumentException">Inputs, targets, baselines or the model's dtype/device do not fit.</exception>
    public AttributionWithDelta AttributeWithDelta(Tensor inputs, Tensor targets, Tensor? baselines = null)
    {
        var (attributions, delta) = Run(inputs, targets, baselines, withDelta: true);
        return new AttributionWithDelta(attributions, delta!);
    }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) =>
        Integrate(inputs, targets, Baselines.Resolve(null, inputs, Options.BaselineValue));

    /// <summary>
    /// Captum's <c>compute_convergence_delta</c>: sum(attributions) over each example's elements minus
    /// (F(end) - F(start)), from the target logits at the end and start points [N].
    /// </summary>
    internal static Tensor Delta(Tensor attributions, Tensor endScores, Tensor startScores) =>
        attributions.flatten(1).sum(1) - (endScores - startScores);

    private (Tensor Attributions, Tensor? Delta) Run(Tensor inputs, Tensor targets, Tensor? baselines, bool withDelta)
    {
        AttributionInputs.Check(inputs, targets);
        AttributionInputs.CheckModel(Model, inputs);
        using var mode = new EvalMode(Model);
        using var scope = NewDisposeScope();
        var x = inputs.detach();
        var b = Baselines.Resolve(baselines, x, Options.BaselineValue);
        var t = targets.to_type(ScalarType.Int64).to(x.device);
        var attributions = Integrate(x, t, b);
        var delta = withDelta ? Delta(attributions, Scores(x, t, Options.MaxImagesPerForward), Scores(b, t, Options.MaxImagesPerForward)) : null;
        return (attributions.detach().MoveToOuterDisposeScope(), delta?.detach().MoveToOuterDisposeScope());
    }

    private Tensor Integrate(Tensor x, Tensor targets, Tensor baselines)
    {
        long n = x.shape[0];
        long total = _alphas.Length * n;
        int perForward = Options.MaxImagesPerForward;
        var difference = x - baselines;
        var sum = zeros_like(x);
        // Row r of the path is step r / n of example r % n: rows are built a chunk at a time, so memory stays at one
        // chunk of images however many steps there are.
        for (long start = 0; start < total; start += perForward)
        {
            using var chunkScope = NewDisposeScope();
            long end = Math.Min(start + perForward, total);
            var spans = new List<(int Step, long First, long Count)>();
            for (int k = (int)(start / n); k * n < end; k++)
            {
                long first = Math.Max(start, k * n) - k * n;
                spans.Add((k, first, Math.Min(end, (k + 1) * n) - k * n - first));
            }

            var points = cat(spans.Select(s => baselines.narrow(0, s.First, s.Count) + difference.narrow(0, s.First, s.Count) * _alphas[s.Step]).ToList(), 0);
            var classes = cat(spans.Select(s => targets.narrow(0, s.First, s.Count)).ToList(), 0);
            var gradients = TargetGradients(points, classes, perForward);
            long offset = 0;
            foreach (var (step, first, count) in spans)
            {
                // Each example's steps arrive in increasing order whatever the chunking, so its sum rounds the same way.
                sum.narrow(0, first, count).add_(gradients.narrow(0, offset, count) * _weights[step]);
                offset += count;
            }
        }

        return Options.MultiplyByInputs ? difference * sum : sum;
    }
}
