using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Vanilla gradient saliency (Simonyan et al. 2013) with Captum's convention: the gradient of each example's
/// target logit with respect to its input, absolute by default (Captum's <c>Saliency.attribute(abs=True)</c>).
/// </summary>
/// <remarks>
/// Works with any TorchSharp classifier returning logits [N, K]. The model runs in eval mode during the call (its
/// mode is restored after), so examples do not interact through batch statistics and batch-norm running
/// statistics stay unchanged; its convolutions are protected with <see cref="ModuleProtection.Protect"/>, so
/// input-gradients are right at any batch size.
/// </remarks>
public sealed class Saliency : AttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="absolute">Return |gradient| (Captum's default) instead of the signed gradient.</param>
    public Saliency(nn.Module<Tensor, Tensor> model, bool absolute = true)
        : base(model)
    {
        Absolute = absolute;
    }

    /// <inheritdoc />
    public override string Name => "Saliency";

    /// <summary>Whether attributions are absolute values.</summary>
    public bool Absolute { get; }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Gradient(Model, inputs, targets, Absolute);

    /// <summary>The (optionally absolute) input-gradient of the target logits; inputs already validated.</summary>
    internal static Tensor Gradient(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, bool absolute)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var x = inputs.detach().requires_grad_();
        var output = model.call(x);
        AttributionInputs.CheckOutput(output, targets, inputs.shape[0]);
        // Summing the selected logits over the batch gives every example its own gradient: examples are independent in eval mode.
        var selected = output.gather(1, targets.to_type(ScalarType.Int64).to(output.device).view(-1, 1)).sum();
        var gradient = Gradients.Of(selected, x);
        return (absolute ? gradient.abs() : gradient).detach().MoveToOuterDisposeScope();
    }
}
