namespace MLNetExplain.Evaluation;

/// <summary>The order in which region perturbation removes regions (Quantus's <c>order</c>).</summary>
public enum RegionOrder
{
    /// <summary>Most relevant first, MoRF: a faithful map makes the score fall fast (large AOPC).</summary>
    MostRelevantFirst,

    /// <summary>Least relevant first, LeRF: a faithful map keeps the score (AOPC near 0).</summary>
    LeastRelevantFirst,

    /// <summary>A seeded random order: the reference.</summary>
    Random,
}
