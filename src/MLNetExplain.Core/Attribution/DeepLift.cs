using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// DeepLift with the Rescale rule (Shrikumar et al. 2017), Captum's <c>DeepLift(model).attribute(inputs, baselines,
/// target)</c>: attributions (x - x') * m, where the multipliers m are the input-gradient of the target logit with
/// every activation's derivative replaced by its difference quotient (y(x) - y(x')) / (in(x) - in(x')).
/// </summary>
/// <remarks>
/// <para>
/// As in Captum: one forward pass over <c>cat([x, x'])</c>; at every ReLU, LeakyReLU, ELU, Sigmoid, Tanh and Softplus
/// module the Rescale multiplier, or the ordinary derivative where |in(x) - in(x')| &lt; <see cref="DeepLiftOptions.Eps"/>;
/// linear layers, convolutions, batch norm (eval mode) and additions keep ordinary gradients; baselines default to
/// zeros; the delta is sum(attributions) - (F(x) - F(x')) per example. The RevealCancel rule is not implemented
/// (Captum has none either), nor Captum's Softmax rule.
/// </para>
/// <para>
/// Where we differ: max-pool modules (also adaptive ones, which Captum does not support) get an exact rule that credits only each window's maxima at x and at x'
/// (see docs/attribution.md), so completeness holds to rounding for any network of linear layers, convolutions,
/// supported activations and max-pools, which Captum's rule misses when a window's argmax moves. Captum's
/// <c>LinearMaxPoolLinearModel</c> values are reproduced.
/// </para>
/// <para>
/// Requirements: every non-linearity is a distinct module called once per forward pass (a reused module fails
/// naming it, as in Captum); a model without any supported module fails; a non-linearity DeepLift cannot see (a
/// functional relu, a softmax, GELU) breaks completeness and fails the <see cref="DeepLiftOptions.CompletenessTolerance"/>
/// check instead of returning wrong maps silently. The model's layers must keep the batch as their first dimension.
/// </para>
/// </remarks>
public sealed class DeepLift : AttributionMethod, IBaselineAttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified (its supported modules get a pass-through forward hook that applies the rule only during a call on the calling thread: TorchSharp's hook tables are not safe to change while another thread runs the model).</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public DeepLift(nn.Module<Tensor, Tensor> model, DeepLiftOptions? options = null)
        : base(model)
    {
        Options = options ?? new DeepLiftOptions();
        Options.Validate();
        ActivationHooks.InstallTaps(model, DeepLiftRescale.Supports);
    }

    /// <inheritdoc />
    public override string Name => "DeepLift";

    /// <summary>The settings.</summary>
    public DeepLiftOptions Options { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Inputs, targets, baselines or the model do not fit, or the model has no supported module.</exception>
    /// <exception cref="InvalidOperationException">A module is reused, or completeness is broken beyond the tolerance.</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? baselines)
    {
        using var result = AttributeWithDelta(inputs, targets, baselines);
        return result.Attributions.detach();
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Inputs, targets, baselines or the model do not fit, or the model has no supported module.</exception>
    /// <exception cref="InvalidOperationException">A module is reused, or completeness is broken beyond the tolerance.</exception>
    public AttributionWithDelta AttributeWithDelta(Tensor inputs, Tensor targets, Tensor? baselines = null)
    {
        AttributionInputs.Check(inputs, targets);
        AttributionInputs.CheckModel(Model, inputs);
        using var mode = new EvalMode(Model);
        using var scope = NewDisposeScope();
        var x = inputs.detach();
        var (attributions, delta) = Explain(x, targets.to_type(ScalarType.Int64).to(x.device), Baselines.Resolve(baselines, x, Options.BaselineValue));
        return new AttributionWithDelta(attributions.detach().MoveToOuterDisposeScope(), delta.detach().MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) =>
        Explain(inputs, targets, Baselines.Resolve(null, inputs, Options.BaselineValue)).Attributions;

    private (Tensor Attributions, Tensor Delta) Explain(Tensor inputs, Tensor targets, Tensor baselines)
    {
        long n = inputs.shape[0];
        Tensor scores, gradient;
        using (enable_grad())
        {
            var x = inputs.detach().requires_grad_();
            using (var hooks = new ActivationHooks(Model, Name, DeepLiftRescale.Supported, DeepLiftRescale.Supports,
                (module, input, output) => DeepLiftRescale.Replace(module, input, output, n, Options.Eps)))
            {
                var logits = Model.call(cat([x, baselines.detach()]));
                hooks.EnsureUsed();
                scores = TargetScores(logits, cat([targets, targets]));
            }

            gradient = Gradients.Of(scores.narrow(0, 0, n).sum(), x);
        }

        var attributions = Options.MultiplyByInputs ? (inputs - baselines) * gradient : gradient;
        var difference = (scores.narrow(0, 0, n) - scores.narrow(0, n, n)).detach();
        var delta = attributions.flatten(1).sum(1) - difference;
        if (Options.MultiplyByInputs && Options.CompletenessTolerance is { } tolerance)
        {
            CheckCompleteness(attributions, scores.detach(), delta, n, tolerance);
        }

        return (attributions, delta);
    }

    private void CheckCompleteness(Tensor attributions, Tensor scores, Tensor delta, long n, double tolerance)
    {
        var scale = attributions.flatten(1).abs().sum(1) + scores.narrow(0, 0, n).abs() + scores.narrow(0, n, n).abs();
        var excess = delta.abs() - scale * tolerance;
        long worst = excess.argmax().item<long>();
        if (excess[worst].to_type(ScalarType.Float64).item<double>() > 0)
        {
            double d = delta[worst].to_type(ScalarType.Float64).item<double>();
            double change = (scores[worst] - scores[n + worst]).to_type(ScalarType.Float64).item<double>();
            throw new InvalidOperationException(
                $"DeepLift's attributions of example {worst} sum to {d + change:G6} but F(x) - F(x') = {change:G6} (delta {d:G3}, beyond the completeness tolerance {tolerance:G3}). " +
                $"The model computes a non-linearity DeepLift cannot see: an activation called through nn.functional, a softmax, or a module other than {DeepLiftRescale.Supported}. " +
                "Use one activation module per call site (docs/attribution.md), or set CompletenessTolerance to null to accept the maps.");
        }
    }
}
