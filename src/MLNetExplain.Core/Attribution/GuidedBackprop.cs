using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Guided Backpropagation (Springenberg et al. 2015), Captum's <c>GuidedBackprop(model).attribute(inputs, target)</c>:
/// the input-gradient of each example's target logit, with every ReLU passing back only positive gradients and only
/// where its input was positive, i.e. relu(ordinary ReLU gradient).
/// </summary>
/// <remarks>
/// Only <c>nn.ReLU</c> modules are changed, as in Captum; max-pools, convolutions and linear layers keep their
/// ordinary gradients. Each ReLU must be its own module called once per forward pass: a model without ReLU modules,
/// or one whose ReLU modules are never called (activations through <c>nn.functional.relu</c>), fails, and so does a
/// module called twice. A functional relu next to ReLU modules keeps its ordinary gradient silently, so convert all
/// of them. The model is left as it was (its ReLU modules keep a pass-through hook, see <see cref="DeepLift"/>); it runs in eval mode during the call.
/// </remarks>
public sealed class GuidedBackprop : AttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    public GuidedBackprop(nn.Module<Tensor, Tensor> model)
        : base(model)
    {
        ActivationHooks.InstallTaps(model, ActivationHooks.IsReLU);
    }

    /// <inheritdoc />
    public override string Name => "GuidedBackprop";

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) =>
        ModifiedReLU.Gradient(Model, inputs, targets, ReLUBackwardRule.Guided, Name);
}
