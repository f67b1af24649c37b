namespace MLNetExplain.Torch.NN;

/// <summary>
/// A layer or model: named parameters, buffers and child modules, a train/eval flag, and a forward pass
/// (torch.nn.Module). Parameters and buffers belong to the module, never to a <see cref="DisposeScope"/>;
/// disposing the module frees them.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private bool _disposed;

    /// <summary>Whether the module is in training mode (batch statistics, dropout on).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Registers a trainable tensor; it is detached from any scope and set to require gradients.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        value.DetachFromDisposeScope().RequiresGrad = true;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers persistent non-trainable state (e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        _buffers.Add((name, value.DetachFromDisposeScope()));
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>This module and all descendants, depth first, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _children)
        {
            foreach (var m in child.NamedModules(Join(prefix, name)))
            {
                yield return m;
            }
        }
    }

    /// <summary>All parameters with dotted names ("layer1.0.conv1.weight").</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters)
        {
            yield return (Join(prefix, name), p);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var p in child.NamedParameters(Join(prefix, name)))
            {
                yield return p;
            }
        }
    }

    /// <summary>All buffers with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers)
        {
            yield return (Join(prefix, name), b);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var b in child.NamedBuffers(Join(prefix, name)))
            {
                yield return b;
            }
        }
    }

    /// <summary>All parameters, for optimisers.</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter).ToList();

    /// <summary>Sets training mode on this module and all descendants; returns this module.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules())
        {
            m.IsTraining = training;
        }

        return this;
    }

    /// <summary>Sets evaluation mode (running statistics, no dropout); returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the accumulated gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters())
        {
            p.Grad = null;
        }
    }

    /// <summary>
    /// Parameters and buffers by dotted name. The tensors are the module's own (not copies): do not dispose them.
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in NamedParameters())
        {
            state[name] = p;
        }

        foreach (var (name, b) in NamedBuffers())
        {
            state[name] = b;
        }

        return state;
    }

    /// <summary>
    /// Copies values into this module's parameters and buffers in place (so optimisers keep working).
    /// With <paramref name="strict"/>, a missing or unexpected key fails before anything is written;
    /// a shape or type mismatch always fails before anything is written.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                throw new InvalidDataException(
                    $"State dict does not match {GetType().Name}: missing keys [{string.Join(", ", missing)}], " +
                    $"unexpected keys [{string.Join(", ", unexpected)}].");
            }
        }

        foreach (var (name, target) in own)
        {
            if (state.TryGetValue(name, out var source) &&
                (!source.Shape.SequenceEqual(target.Shape) || source.Type != target.Type))
            {
                throw new InvalidDataException(
                    $"State dict entry '{name}' is {source.Type}[{string.Join(", ", source.Shape)}], " +
                    $"{GetType().Name} expects {target.Type}[{string.Join(", ", target.Shape)}].");
            }
        }

        using var noGrad = Torch.NoGrad();
        foreach (var (name, target) in own)
        {
            if (state.TryGetValue(name, out var source))
            {
                target.Copy_(source);
            }
        }
    }

    /// <summary>Moves every parameter and buffer to <paramref name="device"/> in place; returns this module.</summary>
    public Module To(Device device)
    {
        using var noGrad = Torch.NoGrad();
        foreach (var (_, t) in StateDict())
        {
            using var moved = t.To(device);
            t.SetData(moved);
        }

        return this;
    }

    /// <summary>The number of trainable scalars.</summary>
    public long ParameterCount() => NamedParameters().Sum(p => p.Parameter.Numel);

    /// <summary>Frees every parameter and buffer of this module and its children.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (_, p) in _parameters)
        {
            p.Dispose();
        }

        foreach (var (_, b) in _buffers)
        {
            b.Dispose();
        }

        foreach (var (_, c) in _children)
        {
            c.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
        {
            throw new ArgumentException($"Invalid member name '{name}'.", nameof(name));
        }

        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
        {
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
        }
    }
}
