using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Attributions with their convergence delta, Captum's <c>return_convergence_delta=True</c>: per example,
/// delta = sum(attributions) - (F(inputs) - F(baselines)) for the target logit F (the completeness axiom).
/// </summary>
/// <param name="Attributions">Maps shaped like the inputs.</param>
/// <param name="Delta">One delta per example, [N] (Captum's convention for IG and DeepLift; GradientShap averages
/// its per-sample deltas per example).</param>
public sealed record AttributionWithDelta(Tensor Attributions, Tensor Delta) : IDisposable
{
    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        Attributions.Dispose();
        Delta.Dispose();
    }
}

/// <summary>
/// A method that explains against baselines and satisfies completeness: Integrated Gradients, DeepLift,
/// GradientShap. <see cref="IAttributionMethod.Attribute"/> uses the method's default baselines.
/// </summary>
public interface IBaselineAttributionMethod : IAttributionMethod
{
    /// <summary>Attributions of <paramref name="inputs"/> relative to <paramref name="baselines"/>.</summary>
    /// <param name="inputs">Images [N, C, H, W] (any batch-first shape).</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="baselines">Reference inputs broadcastable to <paramref name="inputs"/> ([N, ...], [1, ...], [...]
    /// or a scalar tensor); null takes the method's default (Captum: zeros).</param>
    Tensor Attribute(Tensor inputs, Tensor targets, Tensor? baselines);

    /// <summary>Attributions and their convergence delta (see <see cref="AttributionWithDelta"/>).</summary>
    /// <inheritdoc cref="Attribute(Tensor, Tensor, Tensor?)"/>
    AttributionWithDelta AttributeWithDelta(Tensor inputs, Tensor targets, Tensor? baselines = null);
}
