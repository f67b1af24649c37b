namespace MLNetExplain.Evaluation;

/// <summary>Max-sensitivity of a batch.</summary>
/// <param name="Values">Per image: the max over the kept samples (NaN when every sample changed the prediction).</param>
/// <param name="Mean">The mean over the images with a value (NaN when none has one).</param>
/// <param name="KeptSamples">Per image: how many samples kept the prediction (all of them without skipping).</param>
public sealed record MaxSensitivityResult(double[] Values, double Mean, int[] KeptSamples);
