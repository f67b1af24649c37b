namespace MLNetExplain.Attribution;

/// <summary>Per-example scaling of an attribution map.</summary>
public enum AttributionNormalization
{
    /// <summary>Raw values.</summary>
    None,

    /// <summary>Divide by the largest absolute value (maps to [-1, 1], or [0, 1] for absolute maps).</summary>
    MaxAbs,

    /// <summary>Divide by the sum of absolute values (the map sums to 1 in magnitude).</summary>
    SumAbs,
}
