namespace MLNetExplain.Training;

/// <summary>How the gradient-alignment regulariser perturbs the input (RobustAGA's <c>--perturb</c>).</summary>
public enum AlignmentPerturbation
{
    /// <summary>delta = epsilon * U(-1, 1) per element: uniform in the L-inf box (RobustAGA's default).</summary>
    Uniform,

    /// <summary>delta = epsilon * N(0, 1) per element.</summary>
    Gaussian,
}
