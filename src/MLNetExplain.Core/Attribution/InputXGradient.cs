using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Input x Gradient (Shrikumar et al. 2016), Captum's <c>InputXGradient</c>: x times the gradient of each example's
/// target logit with respect to x, element by element (signed).
/// </summary>
/// <remarks>
/// One gradient evaluation per example; <see cref="MaxImagesPerForward"/> bounds the images per forward pass and does
/// not change the result.
/// </remarks>
public sealed class InputXGradient : AttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="maxImagesPerForward">The most images in one forward pass.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxImagesPerForward"/> is below 1.</exception>
    public InputXGradient(nn.Module<Tensor, Tensor> model, int maxImagesPerForward = 256)
        : base(model)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxImagesPerForward, 1);
        MaxImagesPerForward = maxImagesPerForward;
    }

    /// <inheritdoc />
    public override string Name => "InputXGradient";

    /// <summary>The most images in one forward pass.</summary>
    public int MaxImagesPerForward { get; }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => inputs * TargetGradients(inputs, targets, MaxImagesPerForward);
}
