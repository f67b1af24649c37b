using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// The shared shape of MLNetExplain's attribution methods, after Captum's <c>Attribution.attribute(inputs, target)</c>:
/// a batch in, one map per input element out, each example explaining its own target class.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Attribute"/> validates the inputs, targets and the model's dtype/device before any native call, runs
/// the model in eval mode (restored after) so examples never interact through batch statistics, and owns every
/// temporary in a dispose scope; derived classes implement only <see cref="Compute"/>. The model is protected with
/// <see cref="ModuleProtection.Protect"/> once, so input-gradients are right at any batch size.
/// </para>
/// <para>
/// Any <c>nn.Module&lt;Tensor, Tensor&gt;</c> returning logits [N, K] works: our models, a user's TorchSharp module,
/// or a TorchScript file through <see cref="Models.TorchScriptClassifier"/>.
/// </para>
/// </remarks>
public abstract class AttributionMethod : IAttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified (hooks a method adds are removed after each call).</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    protected AttributionMethod(nn.Module<Tensor, Tensor> model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        ModuleProtection.Protect(model);
    }

    /// <summary>The explained classifier.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    /// <returns>Attributions shaped and typed like <paramref name="inputs"/>; the caller owns them.</returns>
    /// <exception cref="ArgumentException">Inputs not a floating-point batch [N, ...], targets not integral [N] or out of
    /// the model's class range, or a dtype/device different from the model's.</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets) => Run(inputs, targets, Compute);

    /// <summary>
    /// What <see cref="Attribute"/> does around <see cref="Compute"/>, for a method's overloads with more arguments
    /// (baselines, feature masks): validation, eval mode, a dispose scope, detached inputs and Int64 targets on the
    /// inputs' device; the result escapes the scope, detached.
    /// </summary>
    protected Tensor Run(Tensor inputs, Tensor targets, Func<Tensor, Tensor, Tensor> compute)
    {
        AttributionInputs.Check(inputs, targets);
        AttributionInputs.CheckModel(Model, inputs);
        using var mode = new EvalMode(Model);
        using var scope = NewDisposeScope();
        var result = compute(inputs.detach(), targets.to_type(ScalarType.Int64).to(inputs.device));
        return result.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The method proper, called inside a dispose scope with the model in eval mode: validated, detached inputs
    /// [N, ...] and Int64 targets [N] on the inputs' device. Returns attributions shaped like the inputs.
    /// </summary>
    protected abstract Tensor Compute(Tensor inputs, Tensor targets);

    /// <summary>Each example's target logit, [M], from logits [M, K]; validates the output shape and target range.</summary>
    protected static Tensor TargetScores(Tensor logits, Tensor targets)
    {
        AttributionInputs.CheckOutput(logits, targets, targets.shape[0]);
        return logits.gather(1, targets.view(-1, 1)).squeeze(1);
    }

    /// <summary>
    /// The target logits of <paramref name="inputs"/> [M, ...] without gradients, evaluated in chunks of at most
    /// <paramref name="maxPerForward"/> images (results do not depend on the chunking in eval mode).
    /// </summary>
    protected Tensor Scores(Tensor inputs, Tensor targets, int maxPerForward)
    {
        using var noGrad = no_grad();
        return Chunked(inputs, targets, maxPerForward, (x, t) => TargetScores(Model.call(x), t));
    }

    /// <summary>
    /// The gradient of each example's target logit with respect to its input, for inputs [M, ...], in chunks of at
    /// most <paramref name="maxPerForward"/> images.
    /// </summary>
    protected Tensor TargetGradients(Tensor inputs, Tensor targets, int maxPerForward) =>
        Chunked(inputs, targets, maxPerForward, (x, t) => Saliency.Gradient(Model, x, t, absolute: false));

    /// <summary>Applies <paramref name="evaluate"/> to chunks of at most <paramref name="maxPerChunk"/> rows and concatenates.</summary>
    protected static Tensor Chunked(Tensor inputs, Tensor targets, int maxPerChunk, Func<Tensor, Tensor, Tensor> evaluate)
    {
        if (maxPerChunk < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerChunk), maxPerChunk, "At least one image per forward pass.");
        }

        long m = inputs.shape[0];
        if (m <= maxPerChunk)
        {
            return evaluate(inputs, targets);
        }

        var parts = new List<Tensor>();
        for (long start = 0; start < m; start += maxPerChunk)
        {
            long count = Math.Min(maxPerChunk, m - start);
            parts.Add(evaluate(inputs.narrow(0, start, count), targets.narrow(0, start, count)));
        }

        return cat(parts, 0);
    }
}
