using MLNetExplain.Torch;

namespace MLNetExplain.Attribution.Methods;

/// <summary>
/// Vanilla gradient saliency (Simonyan et al. 2013) with Captum's convention: the gradient of the target class's
/// output with respect to the input, absolute by default (Captum's <c>Saliency.attribute(abs=True)</c>). The
/// model must be in eval mode so that examples do not interact through batch statistics.
/// </summary>
public sealed class Saliency(Func<Tensor, Tensor> forward)
{
    /// <summary>
    /// Attributions shaped like <paramref name="inputs"/> [N, ...] for class indices <paramref name="target"/> [N];
    /// null target explains each example's predicted class. The caller owns the result.
    /// </summary>
    public Tensor Attribute(Tensor inputs, Tensor? target = null, bool absolute = true)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var scope = Torch.Torch.NewDisposeScope();
        using var grad = Torch.Torch.EnableGrad();
        var x = inputs.Detach().RequiresGrad_();
        var output = forward(x);
        var classes = target ?? output.Detach().Argmax(1);
        var selected = output.Gather(1, classes.To(ScalarType.Int64).View(-1, 1)).Sum();
        var gradient = Autograd.Grad(selected, x);
        return (absolute ? gradient.Abs() : gradient).MoveToOuterDisposeScope();
    }
}
