namespace MLNetExplain.Evaluation;

/// <summary>
/// Options of <see cref="RegionPerturbation"/>. Defaults follow Quantus's <c>RegionPerturbation</c> except the patch
/// size: 4 instead of 8, so a 28 x 28 image has 49 regions rather than 16 (8 suits 224 x 224 inputs).
/// </summary>
public sealed record RegionPerturbationOptions
{
    /// <summary>Side of a square region in pixels. Default 4 (Quantus: 8).</summary>
    public int PatchSize { get; init; } = 4;

    /// <summary>MoRF, LeRF or random. Default MoRF.</summary>
    public RegionOrder Order { get; init; } = RegionOrder.MostRelevantFirst;

    /// <summary>The most regions removed, one per step (Quantus <c>regions_evaluation=100</c>); fewer when the image has fewer.</summary>
    public int Regions { get; init; } = 100;

    /// <summary>Which regions exist. Default a fixed grid.</summary>
    public RegionLayout Layout { get; init; } = RegionLayout.Grid;

    /// <summary>What removed pixels become, in every channel. Default the image's minimum (Quantus's "black").</summary>
    public PerturbationSubstrate Substrate { get; init; } = PerturbationSubstrate.Minimum;

    /// <summary>Score with softmax probabilities (Quantus's default <c>softmax=True</c>); false uses logits.</summary>
    public bool UseProbabilities { get; init; } = true;

    /// <summary>Rank regions by the sum of |a| instead of the signed sum (Quantus <c>abs=False</c>). Default false.</summary>
    public bool Absolute { get; init; }

    /// <summary>Side of the Gaussian kernel for <see cref="PerturbationSubstrate.Blur"/>.</summary>
    public int BlurKernelSize { get; init; } = 11;

    /// <summary>Standard deviation of the Gaussian for <see cref="PerturbationSubstrate.Blur"/>.</summary>
    public double BlurSigma { get; init; } = 5;

    /// <summary>Seed of the <see cref="RegionOrder.Random"/> orders.</summary>
    public long Seed { get; init; }

    /// <summary>The most perturbed images in one forward pass. Results do not depend on it.</summary>
    public int MaxImagesPerForward { get; init; } = 256;

    internal void Validate()
    {
        if (PatchSize < 1 || Regions < 1 || MaxImagesPerForward < 1 || !Enum.IsDefined(Order) || !Enum.IsDefined(Layout) || !Enum.IsDefined(Substrate)
            || BlurKernelSize < 1 || BlurKernelSize % 2 == 0 || !(BlurSigma > 0))
        {
            throw new ArgumentException($"RegionPerturbation needs PatchSize, Regions and MaxImagesPerForward >= 1, known enum values, an odd BlurKernelSize and a positive BlurSigma; got {this}.", "options");
        }
    }
}
