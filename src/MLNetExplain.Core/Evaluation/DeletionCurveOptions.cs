namespace MLNetExplain.Evaluation;

/// <summary>Options of <see cref="DeletionCurve"/>.</summary>
public sealed record DeletionCurveOptions
{
    /// <summary>Equal fractions of the pixels perturbed one after the other; the curve has Steps + 1 points.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Deletion or insertion.</summary>
    public PerturbationOrder Order { get; init; } = PerturbationOrder.Deletion;

    /// <summary>What perturbed pixels become.</summary>
    public PerturbationSubstrate Substrate { get; init; } = PerturbationSubstrate.Zero;

    /// <summary>Side of the Gaussian kernel for <see cref="PerturbationSubstrate.Blur"/> (11 as in RISE).</summary>
    public int BlurKernelSize { get; init; } = 11;

    /// <summary>Standard deviation, in pixels, of the Gaussian for <see cref="PerturbationSubstrate.Blur"/> (5 as in RISE).</summary>
    public double BlurSigma { get; init; } = 5;

    /// <summary>The most perturbed images in one forward pass.</summary>
    public int MaxImagesPerForward { get; init; } = 256;

    internal void Validate()
    {
        if (!Enum.IsDefined(Substrate) || !Enum.IsDefined(Order) || Steps < 1 || MaxImagesPerForward < 1 || BlurKernelSize < 1 || BlurKernelSize % 2 == 0 || !(BlurSigma > 0))
        {
            throw new ArgumentException($"DeletionCurve needs Steps and MaxImagesPerForward >= 1, an odd BlurKernelSize and a positive BlurSigma; got {this}.", "options");
        }
    }
}
