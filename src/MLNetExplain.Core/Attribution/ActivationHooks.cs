using System.Runtime.CompilerServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Gives a model's activation (and max-pool) modules a method's own backward rule for one forward pass: a forward
/// hook on every supported module replaces its output by one of equal value whose backward pass follows the rule
/// (DeepLift's Rescale multipliers, Guided Backprop's and Deconvolution's ReLU rules). Dispose removes the hooks.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp 0.107 has neither tensor hooks nor module backward hooks, so the rule travels in the forward pass.
/// Only modules can be hooked: a <c>nn.functional.relu</c> call inside a model's forward keeps its ordinary
/// gradient. Construction therefore fails when the model holds none of the supported modules, and
/// <see cref="EnsureUsed"/> when none of them took part in the forward pass.
/// </para>
/// <para>
/// A module called twice in one forward pass fails with its name, as Captum's "Module ... used more than once"
/// does; a method's rule is defined per call site. In-place activations are switched to out-of-place for the
/// call (the rule needs the activation's input) and restored. Calls on one model are serialised (the in-place flags
/// are shared), and the rules act only on the calling thread through each module's <see cref="ForwardTap"/>, so a
/// plain forward of the same model on another thread is not affected.
/// </para>
/// </remarks>
internal sealed class ActivationHooks : IDisposable
{
    private static readonly ConditionalWeakTable<nn.Module, object> Gates = new();

    private readonly object _gate;
    private readonly string _method;
    private readonly string _supported;
    private readonly Func<nn.Module, Tensor, Tensor, Tensor> _rule;
    private readonly Dictionary<nn.Module, (string Name, int Calls)> _modules = new(ReferenceEqualityComparer.Instance);
    private readonly List<Action> _undo = [];
    private Exception? _backwardFailure;
    private bool _disposed;

    /// <summary>Hooks every module of <paramref name="model"/> that <paramref name="supports"/> accepts.</summary>
    /// <param name="model">The explained model.</param>
    /// <param name="method">The method's name, for messages.</param>
    /// <param name="supported">The supported module types in words, for messages (e.g. "nn.ReLU").</param>
    /// <param name="supports">Whether a module gets the rule.</param>
    /// <param name="rule">The replacement output for (module, input, output): equal in value to the output.</param>
    /// <exception cref="ArgumentException">The model holds no supported module.</exception>
    public ActivationHooks(nn.Module model, string method, string supported, Func<nn.Module, bool> supports,
        Func<nn.Module, Tensor, Tensor, Tensor> rule)
    {
        _method = method;
        _supported = supported;
        _rule = rule;
        _gate = Gates.GetValue(model, _ => new object());
        Monitor.Enter(_gate);
        try
        {
            foreach (var (name, child) in model.named_modules())
            {
                if (!supports(child) || child is not nn.Module<Tensor, Tensor> module || _modules.ContainsKey(child))
                {
                    continue;
                }

                _modules[child] = (name.Length == 0 ? child.GetType().Name : name, 0);
                MakeOutOfPlace(child);
                _undo.Add(ForwardTap.On(module).Attach(Hook).Dispose);
            }

            if (_modules.Count == 0)
            {
                throw new ArgumentException(
                    $"{method} overrides the backward pass of {supported} modules, and the model has none. If its activations are computed with nn.functional inside forward, they cannot be hooked: give the model one activation module per call site (docs/attribution.md).",
                    nameof(model));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>How many hooked module calls the forward pass made so far.</summary>
    public int Calls { get; private set; }

    /// <summary>Records an exception caught inside a backward pass (which must never let one escape).</summary>
    public void RecordBackwardFailure(Exception failure) => Interlocked.CompareExchange(ref _backwardFailure, failure, null);

    /// <summary>Fails when no hooked module took part in the forward pass, or a backward rule failed.</summary>
    /// <exception cref="InvalidOperationException">The rules were not applied.</exception>
    public void EnsureUsed()
    {
        if (_backwardFailure is { } failure)
        {
            throw new InvalidOperationException($"{_method}'s backward rule failed: {failure.Message}", failure);
        }

        if (Calls == 0)
        {
            throw new InvalidOperationException(
                $"None of the model's {_supported} modules ({string.Join(", ", _modules.Values.Select(m => m.Name))}) was called in the forward pass, so {_method} would return a plain gradient. Call the activation modules in forward instead of nn.functional (docs/attribution.md).");
        }
    }

    private Tensor Hook(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        if (_disposed)
        {
            return output;
        }

        var (name, calls) = _modules[module];
        if (calls > 0)
        {
            throw new InvalidOperationException(
                $"Module '{name}' ({module.GetType().Name}) is used more than once in one forward pass. {_method} gives each call site its own backward rule (as Captum, which refuses such modules too): create one module per call site, e.g. relu1 and relu2 instead of one relu called twice.");
        }

        _modules[module] = (name, 1);
        Calls++;
        return _rule(module, input, output);
    }

    // In-place activations overwrite their input, which every rule reads; run them out of place for the call.
    private void MakeOutOfPlace(nn.Module module)
    {
        switch (module)
        {
            case ReLU { inplace: true } relu:
                relu.inplace = false;
                _undo.Add(() => relu.inplace = true);
                break;
            case LeakyReLU { inplace: true } leaky:
                leaky.inplace = false;
                _undo.Add(() => leaky.inplace = true);
                break;
            case ELU { inplace: true } elu:
                elu.inplace = false;
                _undo.Add(() => elu.inplace = true);
                break;
            case Sigmoid { inplace: true } sigmoid:
                sigmoid.inplace = false;
                _undo.Add(() => sigmoid.inplace = true);
                break;
            case Tanh { inplace: true } tanh:
                tanh.inplace = false;
                _undo.Add(() => tanh.inplace = true);
                break;
        }
    }

    /// <summary>Whether <paramref name="module"/> is an <c>nn.ReLU</c>, the module Guided Backprop, Deconvolution and learned propagation hook.</summary>
    public static bool IsReLU(nn.Module module) => module is ReLU;

    /// <summary>
    /// Installs the taps on every module of <paramref name="model"/> that <paramref name="supports"/> accepts; methods
    /// call it from their constructors so that no hook is added while the model runs on other threads.
    /// </summary>
    public static void InstallTaps(nn.Module model, Func<nn.Module, bool> supports)
    {
        foreach (var (_, child) in model.named_modules())
        {
            if (supports(child) && child is nn.Module<Tensor, Tensor> module)
            {
                ForwardTap.On(module);
            }
        }
    }

    /// <summary>Detaches the rules, restores in-place flags and releases the model.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            foreach (var undo in _undo)
            {
                undo();
            }
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }
}
