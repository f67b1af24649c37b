using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>The parts of the gradient-alignment loss of one batch (scalars, except the logits).</summary>
/// <param name="Total">CE + lambdaL2 * L2 + lambdaCos * CosineDistance; differentiable in the parameters (second order).</param>
/// <param name="CrossEntropy">Mean cross-entropy on the clean inputs.</param>
/// <param name="L2">mean_b ||g_b - g_r,b||_2^2 (squared, over C x H x W).</param>
/// <param name="CosineDistance">(1 - mean_b cos(g_b, g_r,b)) / 2.</param>
/// <param name="Logits">The clean logits [N, classes].</param>
public sealed record GradientAlignmentTerms(Tensor Total, Tensor CrossEntropy, Tensor L2, Tensor CosineDistance, Tensor Logits);
