namespace MLNetExplain.Attribution;

/// <summary>
/// Options of <see cref="LearnedPropagation"/>. The defaults are seed 002's constants (Yang et al. 2020, section 4.2:
/// 0.1, 0.75, 0.25, 10 and Adam's learning rate 0.2); the seed's symbols are lost, so which constant is which was
/// read from its sensitivity table (see docs/attribution.md).
/// </summary>
public sealed record LearnedPropagationOptions
{
    /// <summary>Adam steps per image (seed 002's sensitivity table: the map's quality levels off near 40 iterations).</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Adam's learning rate on the plugin's parameters (seed 002: 0.2); Adam's other settings are PyTorch's defaults.</summary>
    public double LearningRate { get; init; } = 0.2;

    /// <summary>
    /// The mask's scale factor s: a mask is sigmoid(s * (a - centre)) of the attribution map a scaled to [0, 1]
    /// (seed 002: 10).
    /// </summary>
    public double MaskScale { get; init; } = 10;

    /// <summary>
    /// The centre of the positive mask, which keeps the pixels whose scaled attribution is above it (seed 002: 0.75).
    /// </summary>
    public double PositiveCentre { get; init; } = 0.75;

    /// <summary>
    /// The centre of the negative mask, which deletes the pixels whose scaled attribution is below it (seed 002: 0.25).
    /// </summary>
    public double NegativeCentre { get; init; } = 0.25;

    /// <summary>
    /// The weight of the mask loss against the sign-aware loss (seed 002's loss-balancing weight: 0.1). The mask loss
    /// is the mean of the positive mask (its L1 distance from the all-zero mask) plus the mean of one minus the
    /// negative mask (its L1 distance from the all-one mask), so neither mask can keep the whole image.
    /// </summary>
    public double MaskWeight { get; init; } = 0.1;

    /// <summary>
    /// Feed the plugin each ReLU's pre-activation minus its value at an all-zero image (seed 002's DeepLift-style
    /// reference baseline); false feeds the pre-activation itself.
    /// </summary>
    public bool SubtractReference { get; init; } = true;

    /// <summary>
    /// The most images optimised together; bounds memory (a step holds a second-order graph per image). Results do
    /// not depend on it: every image has its own plugin parameters and its own loss.
    /// </summary>
    public int MaxImagesPerForward { get; init; } = 16;

    internal void Validate()
    {
        Require(Steps >= 1, nameof(Steps), Steps, "at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "positive and finite");
        Require(MaskScale > 0 && double.IsFinite(MaskScale), nameof(MaskScale), MaskScale, "positive and finite");
        Require(PositiveCentre is >= 0 and <= 1, nameof(PositiveCentre), PositiveCentre, "in [0, 1]");
        Require(NegativeCentre is >= 0 and <= 1, nameof(NegativeCentre), NegativeCentre, "in [0, 1]");
        Require(MaskWeight >= 0 && double.IsFinite(MaskWeight), nameof(MaskWeight), MaskWeight, "non-negative and finite");
        Require(MaxImagesPerForward >= 1, nameof(MaxImagesPerForward), MaxImagesPerForward, "at least 1");
    }

    private static void Require(bool valid, string option, object value, string expected)
    {
        if (!valid)
        {
            throw new ArgumentException($"LearnedPropagation's {option} must be {expected}; got {value}.", "options");
        }
    }
}
