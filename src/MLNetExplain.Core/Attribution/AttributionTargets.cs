using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>Target classes for attribution methods when the caller has none: explain what the model predicts.</summary>
public static class AttributionTargets
{
    /// <summary>The class each example is predicted as, int64 [N], from one forward pass in eval mode (restored after) without gradients.</summary>
    /// <param name="model">A classifier returning logits [N, K].</param>
    /// <param name="inputs">Images [N, C, H, W].</param>
    /// <exception cref="ArgumentException">Inputs not a floating-point batch, or a model that does not return [N, K].</exception>
    public static Tensor Predicted(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.dim() < 2 || inputs.shape[0] < 1 || !inputs.is_floating_point())
        {
            throw new ArgumentException($"inputs must be a floating-point batch [N, C, H, W]; got {inputs.dtype} [{AttributionInputs.Shape(inputs)}].", nameof(inputs));
        }

        AttributionInputs.CheckModel(model, inputs);
        using var mode = new EvalMode(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.call(inputs);
        if (logits.dim() != 2 || logits.shape[0] != inputs.shape[0])
        {
            throw new ArgumentException($"The model must return logits [{inputs.shape[0]}, K]; it returned [{AttributionInputs.Shape(logits)}].", nameof(model));
        }

        return logits.argmax(1).MoveToOuterDisposeScope();
    }
}
