using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// The local gradient alignment loss of seed 004 (Joo et al., AAAI 2023, "l2 + cosd"), as the RobustAGA code
/// computes it: s(x) = sum_b f(x_b)[y_b] (the target logit), g = grad_x s(x) (detached by default),
/// g_r = grad_x s(x + delta) with its graph kept, so the parameters' gradient flows through g_r (second order);
/// loss = CE(f(x), y) + lambdaL2 * mean_b ||g_b - g_r,b||_2^2 + lambdaCos * (1 - mean_b cos(g_b, g_r,b)) / 2.
/// </summary>
public static class GradientAlignment
{
    /// <summary>
    /// The loss for inputs <paramref name="inputs"/> (in the space the gradients are taken in) and a given
    /// perturbation <paramref name="delta"/>.
    /// </summary>
    /// <param name="logits">Maps inputs [N, ...] to logits [N, classes].</param>
    /// <param name="inputs">Inputs [N, ...].</param>
    /// <param name="labels">Class indices, int64 [N].</param>
    /// <param name="delta">The perturbation, shaped like <paramref name="inputs"/>.</param>
    /// <param name="lambdaL2">Weight of the squared L2 gradient difference.</param>
    /// <param name="lambdaCos">Weight of the cosine distance.</param>
    /// <param name="detachSourceGradient">Detach g (RobustAGA's default), so only g_r carries second-order terms.</param>
    public static GradientAlignmentTerms Loss(Func<Tensor, Tensor> logits, Tensor inputs, Tensor labels, Tensor delta,
        double lambdaL2, double lambdaCos, bool detachSourceGradient = true)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(delta);
        if (!delta.shape.SequenceEqual(inputs.shape))
        {
            throw new ArgumentException($"delta has shape [{string.Join(", ", delta.shape)}]; the inputs have [{string.Join(", ", inputs.shape)}].", nameof(delta));
        }

        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != inputs.shape[0])
        {
            throw new ArgumentException($"Expected int64 labels [{inputs.shape[0]}]; got {labels.dtype} [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        using var gradMode = enable_grad();
        using var scope = NewDisposeScope();
        var x = inputs.detach().requires_grad_();
        var output = logits(x);
        LabelledBatch.CheckLogits(output, labels);
        var crossEntropy = nn.functional.cross_entropy(output, labels);
        // The forward graph is retained: the cross-entropy's backward still needs it.
        var g = Gradients.Of(TargetLogits(output, labels), x, createGraph: !detachSourceGradient, retainGraph: true);
        if (detachSourceGradient)
        {
            g = g.detach();
        }

        var xr = (x.detach() + delta).detach().requires_grad_();
        var gr = Gradients.Of(TargetLogits(logits(xr), labels), xr, createGraph: true);
        var a = g.flatten(1);
        var b = gr.flatten(1);
        var l2 = (a - b).square().sum(1).mean();
        var cosine = ((a * b).sum(1) / (a.square().sum(1).sqrt() * b.square().sum(1).sqrt()).clamp_min(1e-8)).mean();
        var cosineDistance = (1 - cosine) / 2;
        var total = crossEntropy + l2 * lambdaL2 + cosineDistance * lambdaCos;
        return new GradientAlignmentTerms(total.MoveToOuterDisposeScope(), crossEntropy.MoveToOuterDisposeScope(),
            l2.MoveToOuterDisposeScope(), cosineDistance.MoveToOuterDisposeScope(), output.MoveToOuterDisposeScope());
    }

    private static Tensor TargetLogits(Tensor output, Tensor labels) => output.gather(1, labels.unsqueeze(1)).sum();
}
