using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Learned propagation rules (Yang et al. 2020, "Learning Propagation Rules for Attribution Map Generation", seed
/// 002): per image, a learnable plugin replaces every ReLU's backward rule and is optimised so that the Input x
/// Gradient map it yields gives masks whose masked images keep, respectively improve, the target prediction.
/// </summary>
/// <remarks>
/// <para>
/// Each Adam step (seed 002, sections 3.1-3.4): (1) forward the image; (2) backward the target logit with every
/// <c>nn.ReLU</c> passing g_in = g_out * (relu'(z) + tanh(w * (z - z_ref))) (see <see cref="PropagationPlugin"/>),
/// giving the map A = x * gradient (seed 002's Eq. 3); (3) scale A per image to [0, 1] (â) and build a positive mask
/// sigmoid(s (â - c+)) that keeps the most positive pixels and a negative mask sigmoid(s (â - c-)) that deletes the
/// most negative ones; (4) forward both masked images and minimise the sign-aware loss
/// [log p(x) - log p(x * M+)] + [log p(x) - log p(x * M-)] + lambda (mean(M+) + mean(1 - M-)), with p the target's
/// softmax probability, over the plugin's parameters w. The loss contains a backward pass, so its gradient is a
/// second-order one. The result is the map A of the rule after the last step.
/// </para>
/// <para>
/// The seed's equations lost their symbols; the choices made here (the rule's form, which constant is which, log
/// probabilities, the mask loss) are listed in docs/attribution.md. The parameters start at zero, where the rule is
/// the plain gradient, so the method draws nothing and needs no seed. Every image has its own parameters and loss
/// (summed over the batch, so Adam, which acts per element, sees each image's own gradient): results do not depend
/// on the batch or on <see cref="LearnedPropagationOptions.MaxImagesPerForward"/>.
/// </para>
/// <para>
/// Requirements: the model computes its ReLUs with one <c>nn.ReLU</c> module per call site (as Guided Backprop); a
/// model without ReLU modules, or whose ReLU modules are never called (<c>nn.functional.relu</c>), fails, and so
/// does a module called twice. Every layer must be twice differentiable (TorchSharp's built-in layers are). The model
/// is left as it was: its ReLU modules keep a pass-through hook (see <see cref="DeepLift"/>) and it runs in eval mode during the call.
/// </para>
/// </remarks>
public sealed class LearnedPropagation : AttributionMethod
{
    // PyTorch's Adam defaults; seed 002 gives only the learning rate and no weight decay.
    private const double Beta1 = 0.9, Beta2 = 0.999, AdamEps = 1e-8;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified (its ReLU modules get a pass-through forward hook that applies the rule only during a call).</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public LearnedPropagation(nn.Module<Tensor, Tensor> model, LearnedPropagationOptions? options = null)
        : base(model)
    {
        Options = options ?? new LearnedPropagationOptions();
        Options.Validate();
        ActivationHooks.InstallTaps(model, ActivationHooks.IsReLU);
    }

    /// <inheritdoc />
    public override string Name => "LearnedPropagation";

    /// <summary>The settings.</summary>
    public LearnedPropagationOptions Options { get; }

    /// <summary>Attributions with the loss of every optimisation step (see <see cref="LearnedPropagationResult"/>).</summary>
    /// <param name="inputs">Images [N, C, H, W] (any batch-first shape).</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <exception cref="ArgumentException">Inputs, targets or the model do not fit, or the model has no <c>nn.ReLU</c> module.</exception>
    /// <exception cref="InvalidOperationException">No ReLU module is called, or one is called twice.</exception>
    public LearnedPropagationResult AttributeWithLosses(Tensor inputs, Tensor targets)
    {
        AttributionInputs.Check(inputs, targets);
        AttributionInputs.CheckModel(Model, inputs);
        using var mode = new EvalMode(Model);
        using var scope = NewDisposeScope();
        var (attributions, losses) = Explain(inputs.detach(), targets.to_type(ScalarType.Int64).to(inputs.device));
        return new LearnedPropagationResult(attributions.detach().MoveToOuterDisposeScope(), losses.detach().MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Explain(inputs, targets).Attributions;

    private (Tensor Attributions, Tensor Losses) Explain(Tensor inputs, Tensor targets)
    {
        var attributions = new List<Tensor>();
        var losses = new List<Tensor>();
        long n = inputs.shape[0];
        for (long start = 0; start < n; start += Options.MaxImagesPerForward)
        {
            long count = Math.Min(Options.MaxImagesPerForward, n - start);
            var (a, l) = Optimise(inputs.narrow(0, start, count), targets.narrow(0, start, count));
            attributions.Add(a);
            losses.Add(l);
        }

        return attributions.Count == 1 ? (attributions[0], losses[0]) : (cat(attributions, 0), cat(losses, 1));
    }

    private (Tensor Attributions, Tensor Losses) Optimise(Tensor inputs, Tensor targets)
    {
        var plugin = CreatePlugin(inputs);
        var original = OriginalLogProbabilities(inputs, targets);
        var parameters = plugin.Parameters;
        var first = parameters.Select(p => zeros_like(p)).ToArray();
        var second = parameters.Select(p => zeros_like(p)).ToArray();
        var losses = new List<Tensor>();
        for (int step = 1; step <= Options.Steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var (_, loss) = Evaluate(inputs, targets, original, plugin, createGraph: true);
            var gradients = Gradients.Of(loss.sum(), parameters);
            losses.Add(loss.detach().MoveToOuterDisposeScope());
            using var noGrad = no_grad();
            double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
            for (int i = 0; i < parameters.Count; i++)
            {
                first[i].mul_(Beta1).add_(gradients[i], 1 - Beta1);
                second[i].mul_(Beta2).addcmul_(gradients[i], gradients[i], 1 - Beta2);
                var denominator = (second[i] / correction2).sqrt_().add_(AdamEps);
                parameters[i].addcdiv_(first[i], denominator, -Options.LearningRate / correction1);
            }
        }

        var (attributions, finalLoss) = Evaluate(inputs, targets, original, plugin, createGraph: false);
        losses.Add(finalLoss);
        return (attributions, stack(losses));
    }

    /// <summary>A plugin at its identity initialisation for a batch shaped like <paramref name="inputs"/>.</summary>
    internal PropagationPlugin CreatePlugin(Tensor inputs) => PropagationPlugin.Create(Model, inputs, Options.SubtractReference, Name);

    /// <summary>Each example's log-probability of its target class, [N], without gradients.</summary>
    internal Tensor OriginalLogProbabilities(Tensor inputs, Tensor targets)
    {
        using var noGrad = no_grad();
        var logits = Model.call(inputs);
        AttributionInputs.CheckOutput(logits, targets, inputs.shape[0]);
        return TargetLogProbabilities(logits, targets);
    }

    /// <summary>
    /// The map A = x * gradient under <paramref name="plugin"/>'s rule and each example's loss [N]; with
    /// <paramref name="createGraph"/> the loss is differentiable with respect to the plugin's parameters.
    /// </summary>
    internal (Tensor Attributions, Tensor Loss) Evaluate(Tensor inputs, Tensor targets, Tensor original, PropagationPlugin plugin, bool createGraph)
    {
        var attributions = inputs * plugin.Gradient(Model, inputs, targets, createGraph, Name);
        using var mode = createGraph ? enable_grad() : no_grad();
        var flat = attributions.flatten(1);
        var low = flat.amin([1L], keepdim: true);
        var range = (flat.amax([1L], keepdim: true) - low).clamp_min(1e-12);
        // Scaled per image to [0, 1]; a constant map scales to 0 everywhere.
        var scaled = ((flat - low) / range).view_as(inputs);
        var positive = sigmoid(Options.MaskScale * (scaled - Options.PositiveCentre));
        var negative = sigmoid(Options.MaskScale * (scaled - Options.NegativeCentre));
        long n = inputs.shape[0];
        var masked = TargetLogProbabilities(Model.call(cat([inputs * positive, inputs * negative], 0)), cat([targets, targets], 0));
        var signAware = (original - masked.narrow(0, 0, n)) + (original - masked.narrow(0, n, n));
        var maskLoss = positive.flatten(1).mean([1L]) + (1 - negative).flatten(1).mean([1L]);
        return (attributions, signAware + Options.MaskWeight * maskLoss);
    }

    private static Tensor TargetLogProbabilities(Tensor logits, Tensor targets) =>
        nn.functional.log_softmax(logits, 1).gather(1, targets.view(-1, 1)).squeeze(1);
}
