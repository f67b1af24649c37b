namespace MLNetExplain.Torch.Optim;

/// <summary>Updates parameters from their accumulated gradients (torch.optim.Optimizer).</summary>
public abstract class Optimizer : IDisposable
{
    /// <summary>Creates the optimiser over <paramref name="parameters"/> (which it does not own).</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        Parameters = parameters.ToList();
        LearningRate = learningRate;
        InitialLearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="Step"/>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The current learning rate (schedulers change it).</summary>
    public double LearningRate { get; set; }

    /// <summary>The learning rate given at construction (schedulers scale it).</summary>
    public double InitialLearningRate { get; }

    /// <summary>Applies one update to every parameter that has a gradient, without recording gradients.</summary>
    public void Step()
    {
        using var noGrad = Torch.NoGrad();
        for (var k = 0; k < Parameters.Count; k++)
        {
            using var grad = Parameters[k].Grad;
            if (grad is not null)
            {
                using var scope = Torch.NewDisposeScope();
                Update(k, Parameters[k], grad);
            }
        }
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters)
        {
            p.Grad = null;
        }
    }

    /// <summary>
    /// The optimiser's per-parameter state (momentum buffers, moments, step counts) by name, for checkpoints.
    /// The tensors are the optimiser's own: do not dispose them.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, slots) in StateSlots)
        {
            for (var k = 0; k < slots.Length; k++)
            {
                if (slots[k] is { } t)
                {
                    state[$"{name}.{k}"] = t;
                }
            }
        }

        return state;
    }

    /// <summary>Restores state written by <see cref="StateDict"/> (copies; the caller keeps its tensors).</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var (name, slots) in StateSlots)
        {
            for (var k = 0; k < slots.Length; k++)
            {
                if (state.TryGetValue($"{name}.{k}", out var t))
                {
                    if (slots[k] is null && name != StepsSlot && !t.Shape.SequenceEqual(Parameters[k].Shape))
                    {
                        throw new InvalidDataException($"Optimiser state '{name}.{k}' has shape [{string.Join(", ", t.Shape)}], parameter {k} has [{string.Join(", ", Parameters[k].Shape)}].");
                    }

                    Keep(slots, k, t.Clone());
                }
            }
        }
    }

    /// <summary>Name of the slot group holding per-parameter step counts (scalars).</summary>
    protected const string StepsSlot = "step";

    /// <summary>The named per-parameter state arrays this optimiser keeps.</summary>
    protected abstract IEnumerable<(string Name, Tensor?[] Slots)> StateSlots { get; }

    /// <summary>Updates parameter <paramref name="index"/> in place; temporaries belong to a scope.</summary>
    protected abstract void Update(int index, Tensor parameter, Tensor grad);

    /// <summary>Frees per-parameter state (momentum buffers and moments).</summary>
    public abstract void Dispose();

    /// <summary>Stores a state tensor for a parameter, owned by the optimiser, replacing any previous one.</summary>
    protected static Tensor Keep(Tensor?[] slots, int index, Tensor value)
    {
        slots[index]?.Dispose();
        slots[index] = value.DetachFromDisposeScope();
        return value;
    }

    /// <summary>Disposes stored state tensors.</summary>
    protected static void Free(Tensor?[] slots)
    {
        foreach (var t in slots)
        {
            t?.Dispose();
        }

        Array.Clear(slots);
    }
}

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
/// with torch.optim.SGD's update: g += wd p; b = mu b + (1 - dampening) g (b = g on the first step);
/// g = g + mu b (Nesterov) or b; p -= lr g.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor?[] _momentum;

    /// <summary>Creates the optimiser.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, double weightDecay = 0,
        bool nesterov = false, double dampening = 0) : base(parameters, learningRate)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires momentum > 0 and zero dampening (as PyTorch).");
        }

        (Momentum, WeightDecay, Nesterov, Dampening) = (momentum, weightDecay, nesterov, dampening);
        _momentum = new Tensor?[Parameters.Count];
    }

    /// <summary>Momentum factor mu.</summary>
    public double Momentum { get; }
    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; }
    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }
    /// <summary>Dampening of the momentum's gradient term.</summary>
    public double Dampening { get; }

    /// <inheritdoc />
    protected override void Update(int index, Tensor parameter, Tensor grad)
    {
        var g = WeightDecay != 0 ? grad + WeightDecay * parameter : grad;
        if (Momentum != 0)
        {
            var buffer = _momentum[index];
            if (buffer is null)
            {
                buffer = Keep(_momentum, index, g.Clone());
            }
            else
            {
                buffer.Mul_(Momentum).Add_(g, 1 - Dampening);
            }

            g = Nesterov ? g + Momentum * buffer : buffer;
        }

        parameter.Add_(g, -LearningRate);
    }

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Tensor?[] Slots)> StateSlots => [("momentum", _momentum)];

    /// <inheritdoc />
    public override void Dispose() => Free(_momentum);
}

/// <summary>
/// Adam and AdamW (torch.optim.Adam / AdamW): m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
/// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). Adam adds wd p to the gradient; AdamW
/// (decoupled) multiplies p by (1 - lr wd) first.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Tensor?[] _m;
    private readonly Tensor?[] _v;
    private readonly Tensor?[] _steps;

    /// <summary>Creates the optimiser; <paramref name="decoupledWeightDecay"/> gives AdamW.</summary>
    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool decoupledWeightDecay = false) : base(parameters, learningRate)
    {
        (Beta1, Beta2, Eps, WeightDecay, DecoupledWeightDecay) = (beta1, beta2, eps, weightDecay, decoupledWeightDecay);
        _m = new Tensor?[Parameters.Count];
        _v = new Tensor?[Parameters.Count];
        _steps = new Tensor?[Parameters.Count];
    }

    /// <summary>AdamW with PyTorch's default weight decay of 0.01.</summary>
    public static Adam AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double weightDecay = 0.01,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8) =>
        new(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupledWeightDecay: true);

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }
    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }
    /// <summary>Denominator guard.</summary>
    public double Eps { get; }
    /// <summary>Weight decay (L2 for Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; }
    /// <summary>Whether weight decay is decoupled (AdamW).</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc />
    protected override void Update(int index, Tensor parameter, Tensor grad)
    {
        // Step counts live in tensors so checkpoints carry them with the moments.
        var stepTensor = _steps[index] ?? Keep(_steps, index, Tensor.Zeros([], ScalarType.Int64));
        var step = stepTensor.Add_(1L).ToDouble();
        var g = grad;
        if (WeightDecay != 0)
        {
            if (DecoupledWeightDecay)
            {
                parameter.Mul_(1 - LearningRate * WeightDecay);
            }
            else
            {
                g = grad + WeightDecay * parameter;
            }
        }

        var m = _m[index] ?? Keep(_m, index, g.ZerosLike());
        var v = _v[index] ?? Keep(_v, index, g.ZerosLike());
        m.Lerp_(g, 1 - Beta1);
        v.Mul_(Beta2).Addcmul_(g, g, 1 - Beta2);
        var bias1 = 1 - Math.Pow(Beta1, step);
        var bias2 = 1 - Math.Pow(Beta2, step);
        var denominator = (v.Sqrt() / Math.Sqrt(bias2)) + Eps;
        parameter.Addcdiv_(m, denominator, -LearningRate / bias1);
    }

    /// <inheritdoc />
    protected override IEnumerable<(string Name, Tensor?[] Slots)> StateSlots => [("m", _m), ("v", _v), (StepsSlot, _steps)];

    /// <inheritdoc />
    public override void Dispose()
    {
        Free(_m);
        Free(_v);
        Free(_steps);
    }
}
