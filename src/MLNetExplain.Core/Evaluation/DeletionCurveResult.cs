namespace MLNetExplain.Evaluation;

/// <summary>A deletion or insertion curve over a batch.</summary>
/// <param name="Curve">Entry k: the mean probability of the clean prediction after perturbing k/Steps of the pixels.</param>
/// <param name="Area">Area under <see cref="Curve"/> over the fraction axis [0, 1] (the mean of <paramref name="ImageAreas"/>).</param>
/// <param name="ImageAreas">The area of each image's own curve.</param>
public sealed record DeletionCurveResult(double[] Curve, double Area, double[] ImageAreas);
