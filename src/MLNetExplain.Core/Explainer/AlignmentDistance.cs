namespace MLNetExplain.Explainer;

/// <summary>The distance between the explainer's maps and the robust attributions, averaged over the batch.</summary>
public enum AlignmentDistance
{
    /// <summary>mean_b ||E(h_b) - g_b||_2: seed 001's Eq. 5 as written.</summary>
    L2,

    /// <summary>mean_b ||E(h_b) - g_b||_2^2.</summary>
    SquaredL2,

    /// <summary>The mean of squared differences over every element (MSE).</summary>
    MeanSquared,
}
