using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Deconvolution (Zeiler and Fergus 2014), Captum's <c>Deconvolution(model).attribute(inputs, target)</c>: the
/// input-gradient of each example's target logit, with every ReLU passing back relu(incoming gradient) whatever its
/// input was (the forward pass's ReLU mask is ignored).
/// </summary>
/// <remarks>
/// Only <c>nn.ReLU</c> modules are changed, as in Captum; max-pools keep their ordinary gradient, which routes
/// through the forward pass's argmax (Zeiler and Fergus's "switches"). Requirements as for <see cref="GuidedBackprop"/>:
/// one ReLU module per call site, no functional relu. The model is left as it was; it runs in eval mode during the call.
/// </remarks>
public sealed class Deconvolution : AttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    public Deconvolution(nn.Module<Tensor, Tensor> model)
        : base(model)
    {
        ActivationHooks.InstallTaps(model, ActivationHooks.IsReLU);
    }

    /// <inheritdoc />
    public override string Name => "Deconvolution";

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) =>
        ModifiedReLU.Gradient(Model, inputs, targets, ReLUBackwardRule.Deconvolution, Name);
}
