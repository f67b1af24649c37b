namespace MLNetExplain.Evaluation;

/// <summary>Completeness errors of a batch.</summary>
/// <param name="Absolute">Per image: |Σ a - (F(x) - F(x'))|.</param>
/// <param name="Relative">Per image: the absolute error over |F(x) - F(x')| (0 when both are 0, +infinity when only the difference is).</param>
/// <param name="MeanAbsolute">The mean of <paramref name="Absolute"/>.</param>
/// <param name="MeanRelative">The mean of <paramref name="Relative"/>.</param>
public sealed record CompletenessResult(double[] Absolute, double[] Relative, double MeanAbsolute, double MeanRelative);
