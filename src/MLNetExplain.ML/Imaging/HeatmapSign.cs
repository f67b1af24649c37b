namespace MLNetExplain.ML.Imaging;

/// <summary>Which attributions a heat map shows; the names follow Captum's <c>VisualizeSign</c>.</summary>
public enum HeatmapSign
{
    /// <summary>Magnitudes, |attribution| (Captum's default, <c>absolute_value</c>); normalised to [0, 1].</summary>
    Absolute,

    /// <summary>Positive attributions only, negatives shown as 0; normalised to [0, 1].</summary>
    Positive,

    /// <summary>Negative attributions only, shown by magnitude, positives as 0; normalised to [0, 1].</summary>
    Negative,

    /// <summary>Signed attributions; normalised to [-1, 1] and drawn with the diverging map.</summary>
    All,
}
