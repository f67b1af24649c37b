namespace MLNetExplain.Evaluation;

/// <summary>The similarity of the explanations after randomising one more layer (or one layer, independently).</summary>
/// <param name="Layer">The randomised layer's module name (e.g. "fc", "conv3").</param>
/// <param name="Spearman">Per image: Spearman rank correlation with the original explanation (NaN where a map is constant).</param>
/// <param name="Ssim">Per image: SSIM with the original explanation.</param>
/// <param name="MeanSpearman">Mean of <paramref name="Spearman"/> over the images where it is defined.</param>
/// <param name="MeanSsim">Mean of <paramref name="Ssim"/>.</param>
public sealed record ModelRandomizationLayer(string Layer, double[] Spearman, double[] Ssim, double MeanSpearman, double MeanSsim);

/// <summary>MPRT results, one entry per layer in randomisation order.</summary>
/// <param name="Layers">The layers, in the order they were randomised.</param>
public sealed record ModelRandomizationResult(IReadOnlyList<ModelRandomizationLayer> Layers);
