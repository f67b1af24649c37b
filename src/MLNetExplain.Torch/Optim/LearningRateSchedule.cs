namespace MLNetExplain.Torch.Optim;

/// <summary>
/// Sets an optimiser's learning rate from a closed-form function of the epoch (or step) count, as
/// torch.optim.lr_scheduler's schedulers do. Call <see cref="Step"/> once per epoch (or per step).
/// </summary>
public abstract class LearningRateSchedule
{
    private readonly Optimizer _optimizer;

    /// <summary>Attaches the schedule and sets the learning rate for epoch 0.</summary>
    protected LearningRateSchedule(Optimizer optimizer)
    {
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
    }

    /// <summary>Epochs (or steps) completed.</summary>
    public int Epoch { get; private set; }

    /// <summary>The rate for <paramref name="epoch"/>, given the optimiser's initial rate.</summary>
    public abstract double RateAt(int epoch, double initialRate);

    /// <summary>Advances one epoch and updates the optimiser's rate.</summary>
    public void Step()
    {
        Epoch++;
        _optimizer.LearningRate = RateAt(Epoch, _optimizer.InitialLearningRate);
    }

    /// <summary>Multiplies the rate by gamma every <paramref name="stepSize"/> epochs (StepLR).</summary>
    public static LearningRateSchedule StepDecay(Optimizer optimizer, int stepSize, double gamma = 0.1) =>
        new Lambda(optimizer, (e, r) => r * Math.Pow(gamma, e / stepSize));

    /// <summary>Multiplies the rate by gamma at each milestone epoch (MultiStepLR).</summary>
    public static LearningRateSchedule MultiStep(Optimizer optimizer, int[] milestones, double gamma = 0.1) =>
        new Lambda(optimizer, (e, r) => r * Math.Pow(gamma, milestones.Count(m => m <= e)));

    /// <summary>Cosine annealing from the initial rate to <paramref name="minRate"/> over tMax epochs (CosineAnnealingLR, closed form).</summary>
    public static LearningRateSchedule Cosine(Optimizer optimizer, int tMax, double minRate = 0) =>
        new Lambda(optimizer, (e, r) => minRate + (r - minRate) * (1 + Math.Cos(Math.PI * Math.Min(e, tMax) / tMax)) / 2);

    /// <summary>
    /// Linear warm-up from startFactor x rate to the full rate over warmupSteps, then the rate of
    /// <paramref name="after"/> (or constant) counted from the end of the warm-up (LinearLR + SequentialLR).
    /// </summary>
    public static LearningRateSchedule LinearWarmup(Optimizer optimizer, int warmupSteps, double startFactor = 0.1,
        Func<int, double, double>? after = null) =>
        new Lambda(optimizer, (e, r) => e < warmupSteps
            ? r * (startFactor + (1 - startFactor) * e / warmupSteps)
            : after?.Invoke(e - warmupSteps, r) ?? r);

    private sealed class Lambda(Optimizer optimizer, Func<int, double, double> rate) : LearningRateSchedule(optimizer)
    {
        public override double RateAt(int epoch, double initialRate) => rate(epoch, initialRate);
    }
}

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients so that their joint p-norm is at most <paramref name="maxNorm"/>
    /// (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the norm before clipping.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0)
        {
            return 0;
        }

        var norms = Tensor.Stack(grads.Select(g => g.Norm(normType)).ToArray());
        var total = norms.Norm(normType).ToDouble();
        var coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1)
        {
            foreach (var g in grads)
            {
                g.Mul_(coefficient);
            }
        }

        return total;
    }
}
