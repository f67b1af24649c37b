using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>How a ReLU passes the gradient back in Guided Backprop and Deconvolution.</summary>
internal enum ReLUBackwardRule
{
    /// <summary>Guided Backprop (Springenberg et al. 2015): relu(grad_out) where the input was positive, else 0.</summary>
    Guided,

    /// <summary>Deconvolution (Zeiler and Fergus 2014): relu(grad_out), whatever the input was.</summary>
    Deconvolution,
}

/// <summary>
/// relu(x) whose backward pass follows a <see cref="ReLUBackwardRule"/> (Captum's
/// <c>ModifiedReluGradientAttribution</c>: <c>relu(grad_input)</c> for Guided Backprop, <c>relu(grad_output)</c>
/// for Deconvolution). The rule depends on the incoming gradient's sign, so it needs a custom autograd function.
/// </summary>
internal sealed class ModifiedReLU : autograd.SingleTensorFunction<ModifiedReLU>
{
    /// <inheritdoc />
    public override string Name => nameof(ModifiedReLU);

    /// <summary>
    /// The input-gradient of each example's target logit with every <c>nn.ReLU</c> module of
    /// <paramref name="model"/> passing gradients back by <paramref name="rule"/>; inputs already validated.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no <c>nn.ReLU</c> module.</exception>
    /// <exception cref="InvalidOperationException">No ReLU module was called, or one was called twice.</exception>
    public static Tensor Gradient(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, ReLUBackwardRule rule, string method)
    {
        ActivationHooks? hooks = null;
        hooks = new ActivationHooks(model, method, "nn.ReLU", ActivationHooks.IsReLU,
            (_, input, _) => apply(input, rule, hooks!));
        using (hooks)
        {
            var gradient = Saliency.Gradient(model, inputs, targets, absolute: false);
            hooks.EnsureUsed();
            return gradient;
        }
    }

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        ctx.save_for_backward([input]);
        ctx.save_data("rule", vars[1]);
        ctx.save_data("hooks", vars[2]);
        return nn.functional.relu(input);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        // A managed exception escaping a backward aborts the process: record it for the method to throw instead.
        try
        {
            var positive = grad_output.clamp_min(0);
            if ((ReLUBackwardRule)ctx.get_data("rule") == ReLUBackwardRule.Guided)
            {
                using var input = ctx.get_saved_variables()[0];
                using var inactive = input.le(0);
                positive.masked_fill_(inactive, 0);
            }

            return [positive, null!, null!];
        }
        catch (Exception e)
        {
            (ctx.get_data("hooks") as ActivationHooks)?.RecordBackwardFailure(e);
            return [null!, null!, null!];
        }
    }
}
