namespace MLNetExplain.Attacks;

/// <summary>The norm that bounds a PGD perturbation.</summary>
public enum ThreatModel
{
    /// <summary>||x_adv - x||_2 &lt;= epsilon per example.</summary>
    L2,

    /// <summary>||x_adv - x||_inf &lt;= epsilon per example.</summary>
    LInf,
}
