namespace MLNetExplain.Evaluation;

/// <summary>Max-sensitivity of a batch.</summary>
/// <param name="Values">Per image: the max over the counted samples (NaN when none was counted, or with
/// <see cref="ChangedPredictionHandling.NaN"/> when one changed the prediction).</param>
/// <param name="Mean">The mean over the images with a value (NaN when none has one).</param>
/// <param name="KeptSamples">Per image: how many samples kept the predicted class (every sample with <see cref="ChangedPredictionHandling.Keep"/>, which does not check).</param>
public sealed record MaxSensitivityResult(double[] Values, double Mean, int[] KeptSamples);
