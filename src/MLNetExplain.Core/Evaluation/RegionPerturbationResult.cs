namespace MLNetExplain.Evaluation;

/// <summary>A region-perturbation (AOPC) curve over a batch.</summary>
/// <param name="Curve">Entry k: the mean over images of f(x) - f(x with k regions removed), k = 0..<paramref name="Regions"/> (entry 0 is 0).</param>
/// <param name="Aopc">Samek et al.'s area over the perturbation curve: the mean of <paramref name="Curve"/> over its Regions + 1 entries.</param>
/// <param name="ImageCurves">Each image's own curve.</param>
/// <param name="ImageAopcs">Each image's AOPC.</param>
/// <param name="Regions">Regions removed (the curve has Regions + 1 entries).</param>
public sealed record RegionPerturbationResult(double[] Curve, double Aopc, double[][] ImageCurves, double[] ImageAopcs, int Regions);
