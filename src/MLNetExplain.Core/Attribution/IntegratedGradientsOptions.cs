namespace MLNetExplain.Attribution;

/// <summary>
/// Options of <see cref="IntegratedGradients"/>. Defaults follow Captum's <c>IntegratedGradients</c>: 50 steps of
/// Gauss-Legendre quadrature, attributions multiplied by (x - x'), a zero baseline.
/// </summary>
public sealed record IntegratedGradientsOptions
{
    /// <summary>Points on the path from the baseline to the input (Captum's <c>n_steps</c>, default 50).</summary>
    public int Steps { get; init; } = 50;

    /// <summary>How the path integral is approximated (Captum's <c>method</c>, default Gauss-Legendre).</summary>
    public IntegrationRule Rule { get; init; } = IntegrationRule.GaussLegendre;

    /// <summary>
    /// Multiply the integrated gradient by (x - x'), the global attribution of the IG paper (Captum's
    /// <c>multiply_by_inputs=True</c>); false returns the integrated gradient alone (the local attribution).
    /// </summary>
    public bool MultiplyByInputs { get; init; } = true;

    /// <summary>
    /// The most images (examples x steps) in one forward pass (Captum's <c>internal_batch_size</c>); bounds memory.
    /// Results do not depend on it.
    /// </summary>
    public int MaxImagesPerForward { get; init; } = 256;

    /// <summary>The constant baseline x' used when no baselines are given (Captum: 0); the ML.NET stage always uses it.</summary>
    public double BaselineValue { get; init; }

    internal void Validate()
    {
        if (Steps < 1 || MaxImagesPerForward < 1)
        {
            throw new ArgumentException($"IntegratedGradients needs Steps and MaxImagesPerForward >= 1; got {Steps} and {MaxImagesPerForward}.", "options");
        }

        if (Rule == IntegrationRule.RiemannTrapezoid && Steps < 2)
        {
            throw new ArgumentException($"IntegratedGradients' RiemannTrapezoid rule needs Steps >= 2; got {Steps}.", "options");
        }

        if (!Enum.IsDefined(Rule))
        {
            throw new ArgumentException($"IntegratedGradients' Rule {(int)Rule} is not an IntegrationRule.", "options");
        }

        if (!double.IsFinite(BaselineValue))
        {
            throw new ArgumentException($"IntegratedGradients' BaselineValue must be finite; got {BaselineValue}.", "options");
        }
    }
}
