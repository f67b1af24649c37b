using MLNetExplain.Engine;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Attacks;

/// <summary>
/// Projected gradient descent on the cross-entropy (Madry et al. 2018), untargeted, with the robustness library's
/// conventions: an L2 step moves by <c>step * g / (||g||_2 + 1e-10)</c> per example, an L-inf step by
/// <c>step * sign(g)</c>; each iterate is projected onto the epsilon ball around x (L2: renormed to at most
/// epsilon) and clamped to the [0, 1] box. Inputs are images in [0, 1]; normalisation belongs inside the model.
/// </summary>
/// <remarks>
/// Works on any module returning logits (ours, a user's TorchSharp <c>nn.Module&lt;Tensor, Tensor&gt;</c>, a
/// TorchScript <c>jit.ScriptModule&lt;Tensor, Tensor&gt;</c>): the model is first passed to <see cref="ModuleProtection.Protect"/>. The gradient is that
/// of the summed per-example losses (the robustness library differentiates their mean; the per-example step
/// normalisation makes the two identical up to the 1e-10, and the sum keeps each example independent of the batch
/// size). Parameters' <c>.grad</c> are not touched. Each iteration runs in its own dispose scope.
/// </remarks>
public sealed class PgdAttack
{
    /// <summary>Creates the attack.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public PgdAttack(PgdAttackOptions? options = null)
    {
        Options = options ?? new PgdAttackOptions();
        Options.Validate();
    }

    /// <summary>The settings.</summary>
    public PgdAttackOptions Options { get; }

    /// <summary>
    /// Adversarial examples for <paramref name="images"/> [N, C, H, W] in [0, 1] with true classes
    /// <paramref name="labels"/> (int64 [N]); detached, on the images' device.
    /// </summary>
    /// <typeparam name="TModel">A TorchSharp module or a TorchScript module.</typeparam>
    /// <param name="model">Maps images to logits [N, classes].</param>
    /// <param name="images">Clean images in [0, 1].</param>
    /// <param name="labels">True class indices.</param>
    /// <param name="generator">Draws the random start; null uses a generator seeded with <see cref="PgdAttackOptions.Seed"/>.</param>
    /// <exception cref="ArgumentException">Shapes, types, pixel range or labels are wrong (checked before any native call).</exception>
    public Tensor Perturb<TModel>(TModel model, Tensor images, Tensor labels, Generator? generator = null)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor>
    {
        ArgumentNullException.ThrowIfNull(model);
        LabelledBatch.Check(images, labels);
        ModuleProtection.Protect(model);
        bool wasTraining = model.training;
        if (Options.EvalMode)
        {
            model.eval();
        }

        try
        {
            using var gradMode = enable_grad();
            using var scope = NewDisposeScope();
            using var own = generator is null && Options.RandomStart != RandomStart.None ? new Generator((ulong)Options.Seed, images.device) : null;
            var x0 = images.detach();
            var current = StartingPoint(x0, generator ?? own);
            Tensor? best = null, bestLoss = null;
            for (int step = 0; step < Options.Steps; step++)
            {
                using var stepScope = NewDisposeScope();
                var x = current.detach().requires_grad_();
                var logits = model.call(x);
                if (step == 0)
                {
                    LabelledBatch.CheckLogits(logits, labels);
                }

                var loss = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None);
                var gradient = Gradients.Of(loss.sum(), x);
                if (Options.UseBest)
                {
                    (best, bestLoss) = KeepBest(best, bestLoss, x.detach(), loss.detach());
                }

                var next = Project(Step(x.detach(), gradient), x0).MoveToOuterDisposeScope();
                current.Dispose();
                current = next;
            }

            if (Options.UseBest)
            {
                using var noGrad = no_grad();
                using var finalScope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(model.call(current), labels, reduction: nn.Reduction.None);
                (best, _) = KeepBest(best, bestLoss, current, loss);
                return best!.MoveToOuterDisposeScope();
            }

            return current.MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// The direction PGD steps along: d/dx of the summed per-example cross-entropy at <paramref name="images"/>,
    /// with the model in its current mode; [N, C, H, W], detached.
    /// </summary>
    /// <typeparam name="TModel">A TorchSharp module or a TorchScript module.</typeparam>
    /// <param name="model">Maps images to logits.</param>
    /// <param name="images">Images in [0, 1].</param>
    /// <param name="labels">True class indices.</param>
    public static Tensor LossGradient<TModel>(TModel model, Tensor images, Tensor labels)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor>
    {
        ArgumentNullException.ThrowIfNull(model);
        LabelledBatch.Check(images, labels);
        ModuleProtection.Protect(model);
        using var gradMode = enable_grad();
        using var scope = NewDisposeScope();
        var x = images.detach().requires_grad_();
        var logits = model.call(x);
        LabelledBatch.CheckLogits(logits, labels);
        var loss = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum);
        return Gradients.Of(loss, x).detach().MoveToOuterDisposeScope();
    }

    /// <summary>The attack's first iterate for <paramref name="images"/> under <see cref="PgdAttackOptions.RandomStart"/>, in [0, 1].</summary>
    /// <param name="images">Clean images [N, ...].</param>
    /// <param name="generator">Draws the random start; null uses a generator seeded with <see cref="PgdAttackOptions.Seed"/>.</param>
    public Tensor StartingPoint(Tensor images, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (Options.RandomStart == RandomStart.None || Options.Epsilon == 0)
        {
            return images.detach().clone();
        }

        using var scope = NewDisposeScope();
        using var own = generator is null ? new Generator((ulong)Options.Seed, images.device) : null;
        var g = generator ?? own;
        double eps = Options.Epsilon;
        Tensor delta;
        if (Options.ThreatModel == ThreatModel.L2)
        {
            var r = randn(images.shape, images.dtype, images.device, generator: g);
            var direction = r / (PerExampleNorm(r) + 1e-10);
            delta = Options.RandomStart == RandomStart.Sphere
                ? direction * eps
                : direction * (rand(ExampleShape(images), images.dtype, images.device, generator: g) * eps);
        }
        else
        {
            var u = rand(images.shape, images.dtype, images.device, generator: g);
            delta = Options.RandomStart == RandomStart.Ball
                ? (u * 2 - 1) * eps
                : u.gt(0.5).to_type(images.dtype) * (2 * eps) - eps;
        }

        return (images.detach() + delta).clamp(0, 1).MoveToOuterDisposeScope();
    }

    // Keeps, per example, the iterate with the highest loss so far; ties keep the earlier one.
    private static (Tensor Best, Tensor Loss) KeepBest(Tensor? best, Tensor? bestLoss, Tensor candidate, Tensor loss)
    {
        if (best is null || bestLoss is null)
        {
            return (candidate.clone().MoveToOuterDisposeScope(), loss.clone().MoveToOuterDisposeScope());
        }

        var better = loss.gt(bestLoss);
        var newBest = where(better.view(ExampleShape(candidate)), candidate, best).MoveToOuterDisposeScope();
        var newLoss = where(better, loss, bestLoss).MoveToOuterDisposeScope();
        best.Dispose();
        bestLoss.Dispose();
        return (newBest, newLoss);
    }

    private Tensor Step(Tensor x, Tensor gradient) => Options.ThreatModel == ThreatModel.L2
        ? x + gradient / (PerExampleNorm(gradient) + 1e-10) * Options.EffectiveStepSize
        : x + gradient.sign() * Options.EffectiveStepSize;

    private Tensor Project(Tensor x, Tensor x0)
    {
        var delta = x - x0;
        if (Options.ThreatModel == ThreatModel.L2)
        {
            // torch.renorm(p=2, maxnorm=eps): scale by eps / ||delta|| only where the norm exceeds eps.
            var scale = (Options.Epsilon / (PerExampleNorm(delta) + 1e-12)).clamp_max(1);
            delta = delta * scale;
        }
        else
        {
            delta = delta.clamp(-Options.Epsilon, Options.Epsilon);
        }

        return (x0 + delta).clamp(0, 1);
    }

    // ||v||_2 per example, shaped [N, 1, ..., 1] for broadcasting.
    private static Tensor PerExampleNorm(Tensor v) => v.flatten(1).square().sum(1).sqrt().view(ExampleShape(v));

    private static long[] ExampleShape(Tensor v) => [v.shape[0], .. Enumerable.Repeat(1L, (int)v.dim() - 1)];
}
