namespace MLNetExplain.Attacks;

/// <summary>Where PGD starts: the conventions of the reference libraries differ, so the choice is explicit.</summary>
public enum RandomStart
{
    /// <summary>At x (the robustness library's default).</summary>
    None,

    /// <summary>
    /// L2: a uniformly random point on the epsilon sphere (the robustness library's <c>random_perturb</c>);
    /// L-inf: a random corner of the epsilon box.
    /// </summary>
    Sphere,

    /// <summary>
    /// L2: a random direction at radius epsilon * U(0, 1) (torchattacks' <c>PGDL2</c>); L-inf: uniform in the epsilon
    /// box (torchattacks' <c>PGD</c>).
    /// </summary>
    Ball,
}
