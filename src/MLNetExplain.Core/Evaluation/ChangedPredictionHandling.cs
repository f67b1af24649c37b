namespace MLNetExplain.Evaluation;

/// <summary>What max-sensitivity does with noisy samples whose predicted class differs from the clean image's.</summary>
public enum ChangedPredictionHandling
{
    /// <summary>Count them like any other (Quantus's default <c>return_nan_when_prediction_changes=False</c>; Captum).</summary>
    Keep,

    /// <summary>Leave them out: the max over the samples that kept the prediction (NaN when none did).</summary>
    Skip,

    /// <summary>The image's value is NaN as soon as one sample changed it (Quantus's <c>return_nan_when_prediction_changes=True</c>, a max that propagates NaN).</summary>
    NaN,
}
