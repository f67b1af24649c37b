namespace MLNetExplain.Evaluation;

/// <summary>What removed (or not yet inserted) pixels become.</summary>
public enum PerturbationSubstrate
{
    /// <summary>Zero in every channel (black for pixels in [0, 1]; RISE's deletion substrate).</summary>
    Zero,

    /// <summary>The image's own mean, per channel.</summary>
    Mean,

    /// <summary>A Gaussian blur of the image (RISE's insertion substrate).</summary>
    Blur,

    /// <summary>The image's smallest value over all channels, in every channel (Quantus's "black").</summary>
    Minimum,
}
