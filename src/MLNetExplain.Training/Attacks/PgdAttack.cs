using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Training.Attacks;

/// <summary>The threat model of a PGD attack.</summary>
public enum ThreatModel
{
    /// <summary>||x_adv - x||_2 &lt;= epsilon per example.</summary>
    L2,
    /// <summary>||x_adv - x||_inf &lt;= epsilon per example.</summary>
    LInf,
}

/// <summary>How PGD picks its starting point.</summary>
public enum RandomStart
{
    /// <summary>Start at x (the robustness library's default).</summary>
    None,
    /// <summary>L2: a random point on the epsilon sphere (robustness' random_perturb); L-inf: a random corner direction scaled to epsilon.</summary>
    Sphere,
    /// <summary>L2: a random point inside the ball, radius epsilon * U(0,1) (torchattacks' PGDL2); L-inf: uniform in the box.</summary>
    Ball,
}

/// <summary>Options of <see cref="PgdAttack"/>; defaults follow the robustness library.</summary>
public sealed record PgdAttackOptions
{
    /// <summary>The norm of the perturbation budget.</summary>
    public ThreatModel ThreatModel { get; init; } = ThreatModel.L2;

    /// <summary>The budget, in the [0, 1] pixel space of the model's input.</summary>
    public double Epsilon { get; init; } = 0.5;

    /// <summary>Gradient steps (robustness' training default is 7; evaluation commonly uses 20).</summary>
    public int Steps { get; init; } = 7;

    /// <summary>Step size; null means 2.5 * epsilon / steps (the robustness library's rule).</summary>
    public double? StepSize { get; init; }

    /// <summary>The starting point.</summary>
    public RandomStart RandomStart { get; init; } = RandomStart.None;

    /// <summary>Return the highest-loss iterate seen (robustness' use_best, default) rather than the last.</summary>
    public bool UseBest { get; init; } = true;

    /// <summary>The step size actually used.</summary>
    public double EffectiveStepSize => StepSize ?? 2.5 * Epsilon / Steps;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (!(Epsilon >= 0) || Steps < 1 || EffectiveStepSize <= 0)
        {
            throw new ArgumentException($"PGD needs epsilon >= 0, steps >= 1 and a positive step size (got {Epsilon}, {Steps}, {EffectiveStepSize}).");
        }
    }
}

/// <summary>
/// Projected gradient descent on the cross-entropy (Madry et al.), untargeted, with the conventions of the
/// robustness library: L2 steps move by step * g / (||g||_2 + 1e-10) per example, L-inf steps by step * sign(g);
/// each iterate is projected onto the epsilon ball around x and clamped to [0, 1]; the model runs in eval mode
/// during the attack and its mode is restored afterwards. Inputs must be in [0, 1] (normalisation belongs inside
/// the model).
/// </summary>
public sealed class PgdAttack
{
    /// <summary>Creates the attack.</summary>
    public PgdAttack(PgdAttackOptions? options = null)
    {
        Options = options ?? new PgdAttackOptions();
        Options.Validate();
    }

    /// <summary>The settings.</summary>
    public PgdAttackOptions Options { get; }

    /// <summary>
    /// Adversarial examples for inputs <paramref name="x"/> [N, C, H, W] and class indices <paramref name="y"/> [N];
    /// detached from any graph. Memory stays bounded: each iteration runs in its own dispose scope.
    /// </summary>
    public Tensor Perturb(Module model, Tensor x, Tensor y, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var scope = Torch.Torch.NewDisposeScope();
            var x0 = x.Detach();
            var current = StartingPoint(x0, generator);
            Tensor? best = null;
            Tensor? bestLoss = null;
            for (var step = 0; step < Options.Steps; step++)
            {
                using var stepScope = Torch.Torch.NewDisposeScope();
                var xi = current.Detach().RequiresGrad_();
                var loss = PerExampleLoss(model, xi, y);
                var gradient = Autograd.Grad(loss.Mean(), xi);
                if (Options.UseBest)
                {
                    (best, bestLoss) = KeepBest(best, bestLoss, xi.Detach(), loss.Detach());
                }

                var next = Project(Step(xi.Detach(), gradient), x0);
                current.Dispose();
                current = next.MoveToOuterDisposeScope();
            }

            if (Options.UseBest)
            {
                using var final = Torch.Torch.NoGrad();
                using var finalScope = Torch.Torch.NewDisposeScope();
                (best, bestLoss) = KeepBest(best, bestLoss, current, PerExampleLoss(model, current, y));
                return best.MoveToOuterDisposeScope();
            }

            return current.MoveToOuterDisposeScope();
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    private static Tensor PerExampleLoss(Module model, Tensor x, Tensor y) =>
        Functional.CrossEntropy(model.Forward(x), y, Reduction.None);

    // Keeps, per example, the iterate with the highest loss so far; ties keep the earlier one.
    private static (Tensor, Tensor) KeepBest(Tensor? best, Tensor? bestLoss, Tensor candidate, Tensor loss)
    {
        if (best is null || bestLoss is null)
        {
            return (candidate.Clone().MoveToOuterDisposeScope(), loss.Clone().MoveToOuterDisposeScope());
        }

        var better = loss.Gt(bestLoss);
        var mask = better.View([better.Numel, .. Enumerable.Repeat(1L, candidate.Dim - 1)]);
        var newBest = Tensor.Where(mask, candidate, best).MoveToOuterDisposeScope();
        var newLoss = Tensor.Where(better, loss, bestLoss).MoveToOuterDisposeScope();
        best.Dispose();
        bestLoss.Dispose();
        return (newBest, newLoss);
    }

    /// <summary>The attack's first iterate for <paramref name="x0"/> under <see cref="PgdAttackOptions.RandomStart"/>, in [0, 1].</summary>
    public Tensor StartingPoint(Tensor x0, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(x0);
        if (Options.RandomStart == RandomStart.None || Options.Epsilon == 0)
        {
            return x0.Clone();
        }

        using var scope = Torch.Torch.NewDisposeScope();
        var eps = Options.Epsilon;
        Tensor delta;
        if (Options.ThreatModel == ThreatModel.L2)
        {
            var r = x0.RandnLike(generator);
            var direction = r / PerExampleNorm(r).Add_(1e-10);
            delta = Options.RandomStart == RandomStart.Sphere
                ? direction * eps
                : direction * (Tensor.Rand([x0.Size(0)], generator, x0.Type, x0.Device).View(ExampleShape(x0)) * eps);
        }
        else
        {
            delta = Options.RandomStart == RandomStart.Ball
                ? (x0.RandLike(generator) * 2 - 1) * eps
                : x0.RandLike(generator).Gt(0.5).To(x0.Type) * (2 * eps) - eps;
        }

        return (x0 + delta).Clamp(0, 1).MoveToOuterDisposeScope();
    }

    private Tensor Step(Tensor x, Tensor gradient)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var step = Options.EffectiveStepSize;
        var moved = Options.ThreatModel == ThreatModel.L2
            ? x + gradient / (PerExampleNorm(gradient) + 1e-10) * step
            : x + gradient.Sign() * step;
        return moved.MoveToOuterDisposeScope();
    }

    private Tensor Project(Tensor x, Tensor x0)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var delta = x - x0;
        if (Options.ThreatModel == ThreatModel.L2)
        {
            // renorm to at most epsilon: scale = min(1, eps / ||delta||).
            var norm = PerExampleNorm(delta);
            var scale = (Options.Epsilon / (norm + 1e-12)).Clamp(max: 1);
            delta = delta * scale;
        }
        else
        {
            delta = delta.Clamp(-Options.Epsilon, Options.Epsilon);
        }

        return (x0 + delta).Clamp(0, 1).MoveToOuterDisposeScope();
    }

    // ||v||_2 per example, shaped [N, 1, 1, 1] for broadcasting.
    internal static Tensor PerExampleNorm(Tensor v) => v.Flatten(1).Norm(2, [1], keepDim: true).View(ExampleShape(v));

    private static long[] ExampleShape(Tensor v) => [v.Size(0), .. Enumerable.Repeat(1L, v.Dim - 1)];
}
