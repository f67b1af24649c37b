namespace MLNetExplain.Attacks;

/// <summary>Settings of <see cref="PgdAttack"/>; defaults follow the robustness library's training attack.</summary>
public sealed record PgdAttackOptions
{
    /// <summary>The norm of the budget. Default L2.</summary>
    public ThreatModel ThreatModel { get; init; } = ThreatModel.L2;

    /// <summary>The budget, in the [0, 1] pixel space of the model's input. Default 0.5.</summary>
    public double Epsilon { get; init; } = 0.5;

    /// <summary>Gradient steps. Default 7 (the robustness library's <c>attack-steps</c>; evaluation commonly uses 20).</summary>
    public int Steps { get; init; } = 7;

    /// <summary>Step size; null means 2.5 * epsilon / steps (the robustness library's rule). Default null.</summary>
    public double? StepSize { get; init; }

    /// <summary>The starting point. Default <see cref="Attacks.RandomStart.None"/>.</summary>
    public RandomStart RandomStart { get; init; } = RandomStart.None;

    /// <summary>
    /// Return, per example, the highest-loss iterate seen (the robustness library's <c>use_best</c>, default true)
    /// rather than the last one (torchattacks).
    /// </summary>
    public bool UseBest { get; init; } = true;

    /// <summary>
    /// Run the model in eval mode during the attack (the robustness library's convention: batch-norm uses its running
    /// statistics and is not updated); the model's mode is restored afterwards. Default true.
    /// </summary>
    public bool EvalMode { get; init; } = true;

    /// <summary>Seed of the random start when the caller passes no generator. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>The step size used: <see cref="StepSize"/>, or 2.5 * epsilon / steps.</summary>
    public double EffectiveStepSize => StepSize ?? 2.5 * Epsilon / Steps;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(ThreatModel))
        {
            throw new ArgumentException($"Unknown threat model {(int)ThreatModel}.", nameof(ThreatModel));
        }

        if (!Enum.IsDefined(RandomStart))
        {
            throw new ArgumentException($"Unknown random start {(int)RandomStart}.", nameof(RandomStart));
        }

        if (!(Epsilon >= 0) || double.IsInfinity(Epsilon))
        {
            throw new ArgumentException($"PgdAttackOptions.Epsilon must be finite and >= 0; got {Epsilon}.", nameof(Epsilon));
        }

        if (Steps < 1)
        {
            throw new ArgumentException($"PgdAttackOptions.Steps must be at least 1; got {Steps}.", nameof(Steps));
        }

        if (!(EffectiveStepSize >= 0) || double.IsInfinity(EffectiveStepSize) || (Epsilon > 0 && EffectiveStepSize == 0))
        {
            throw new ArgumentException($"PgdAttackOptions.StepSize must be finite and positive; got {EffectiveStepSize}.", nameof(StepSize));
        }
    }
}
