namespace MLNetExplain.Attribution;

/// <summary>
/// Options of <see cref="Occlusion"/>. Captum's <c>Occlusion.attribute</c> names: <see cref="WindowShape"/> is
/// <c>sliding_window_shapes</c>, <see cref="Strides"/> is <c>strides</c> (default 1), <see cref="BaselineValue"/>
/// is a scalar <c>baselines</c> (default 0) and <see cref="PerturbationsPerEval"/> is <c>perturbations_per_eval</c>.
/// </summary>
/// <example>Seed 001's timing setting on 3 x 32 x 32 images (225 occluded forward passes):
/// <code>new OcclusionOptions { WindowShape = [3, 4, 4], Strides = [2] }</code></example>
public sealed record OcclusionOptions
{
    /// <summary>
    /// The occluding window over one example's dimensions (without the batch), e.g. [C, h, w] for images; each entry
    /// at most the input's size. Null takes <see cref="WindowSize"/> on images: [C, WindowSize, WindowSize].
    /// </summary>
    public int[]? WindowShape { get; init; }

    /// <summary>The side of the square window over all channels of an image, used when <see cref="WindowShape"/> is null.</summary>
    public int WindowSize { get; init; } = 4;

    /// <summary>
    /// The window's step per dimension, one entry per dimension of <see cref="WindowShape"/>, or a single entry for
    /// every dimension (Captum's integer form); null steps 1 (Captum's default). Where the window is smaller than
    /// the input, the stride may not exceed it.
    /// </summary>
    public int[]? Strides { get; init; }

    /// <summary>The value occluded elements take when no baselines tensor is given (Captum: 0).</summary>
    public double BaselineValue { get; init; }

    /// <summary>
    /// Window positions evaluated per forward pass (Captum's <c>perturbations_per_eval</c>, default 1): each pass
    /// holds up to this many occluded copies of the batch. Trades memory for speed; the result does not depend on it.
    /// </summary>
    public int PerturbationsPerEval { get; init; } = 1;

    internal void Validate()
    {
        if (WindowShape is { } window && (window.Length == 0 || window.Any(w => w < 1)))
        {
            throw new ArgumentException($"Occlusion's WindowShape needs one size >= 1 per example dimension (e.g. [C, 4, 4]); got [{string.Join(", ", window)}].", nameof(WindowShape));
        }

        if (WindowSize < 1)
        {
            throw new ArgumentException($"Occlusion's WindowSize must be at least 1; got {WindowSize}.", nameof(WindowSize));
        }

        if (Strides is { } strides && (strides.Length == 0 || strides.Any(s => s < 1)))
        {
            throw new ArgumentException($"Occlusion's Strides must be >= 1 (one per dimension, or one for all); got [{string.Join(", ", strides)}].", nameof(Strides));
        }

        if (PerturbationsPerEval < 1)
        {
            throw new ArgumentException($"Occlusion needs PerturbationsPerEval >= 1; got {PerturbationsPerEval}.", nameof(PerturbationsPerEval));
        }

        if (!double.IsFinite(BaselineValue))
        {
            throw new ArgumentException($"Occlusion's BaselineValue must be finite; got {BaselineValue}.", nameof(BaselineValue));
        }
    }
}
