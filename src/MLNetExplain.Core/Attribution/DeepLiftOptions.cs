namespace MLNetExplain.Attribution;

/// <summary>Options of <see cref="DeepLift"/>. Defaults follow Captum's <c>DeepLift(model, multiply_by_inputs=True, eps=1e-10)</c> with zero baselines.</summary>
public sealed record DeepLiftOptions
{
    /// <summary>
    /// Multiply the multipliers by (x - x'), giving attributions that sum to F(x) - F(x') (Captum's default); false
    /// returns the multipliers themselves (Captum's <c>multiply_by_inputs=False</c>, the "local" variant).
    /// </summary>
    public bool MultiplyByInputs { get; init; } = true;

    /// <summary>Where |in(x) - in(x')| is below this at an activation, the ordinary derivative replaces the Rescale quotient (Captum: 1e-10).</summary>
    public double Eps { get; init; } = 1e-10;

    /// <summary>The constant baseline x' used when no baselines are given (Captum: 0, a black image in [0, 1] pixels).</summary>
    public double BaselineValue { get; init; }

    /// <summary>
    /// Fail when an example's convergence delta exceeds this fraction of |F(x)| + |F(x')| + sum |attributions|: exact
    /// completeness is what DeepLift's rules guarantee for networks of linear layers, convolutions and supported
    /// activation and max-pool modules, so a larger delta means the model computes a non-linearity DeepLift cannot see
    /// (a functional activation, a softmax, an unsupported module). Checked only with <see cref="MultiplyByInputs"/>;
    /// null turns the check off (Captum has none).
    /// </summary>
    public double? CompletenessTolerance { get; init; } = 1e-3;

    internal void Validate()
    {
        if (!(Eps >= 0) || double.IsInfinity(Eps))
        {
            throw new ArgumentException($"DeepLift's Eps must be a non-negative finite number; got {Eps}.", "options");
        }

        if (!double.IsFinite(BaselineValue))
        {
            throw new ArgumentException($"DeepLift's BaselineValue must be finite; got {BaselineValue}.", "options");
        }

        if (CompletenessTolerance is { } tolerance && !(tolerance >= 0))
        {
            throw new ArgumentException($"DeepLift's CompletenessTolerance must be non-negative or null; got {tolerance}.", "options");
        }
    }
}
