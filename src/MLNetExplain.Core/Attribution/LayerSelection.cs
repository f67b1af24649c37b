using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Layer methods' access to a model's inner layers, Captum's <c>layer</c> argument: a layer is named as in
/// <c>named_modules()</c> (and in the state dict), e.g. "conv3", "layer4" or "features.2", and its output is read
/// with a forward hook that lives for one forward pass.
/// </summary>
public static class LayerSelection
{
    /// <summary>The submodule of <paramref name="model"/> called <paramref name="name"/> in <c>named_modules()</c>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="name">The layer's dotted name, e.g. "conv3" or "layer4.1.conv2".</param>
    /// <exception cref="ArgumentException">No submodule has that name; the message lists the names there are.</exception>
    public static nn.Module Find(nn.Module model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var layers = model.named_modules().Where(m => !string.IsNullOrEmpty(m.name)).ToList();
        foreach (var (layerName, layer) in layers)
        {
            if (layerName == name)
            {
                return layer;
            }
        }

        string available = layers.Count == 0 ? "none (the model has no submodules)" : string.Join(", ", layers.Select(m => m.name));
        throw new ArgumentException($"The model has no layer named '{name}'. Its layers (named_modules() names): {available}.", nameof(name));
    }

    /// <summary>
    /// The layer called <paramref name="name"/>, checked to be one whose output a forward hook can read: a TorchSharp
    /// module of one tensor in and one tensor out, not part of a TorchScript module (libtorch runs those without
    /// calling .NET hooks). Its <see cref="ForwardTap"/> is installed.
    /// </summary>
    /// <exception cref="ArgumentException">No such layer, or one that cannot be hooked.</exception>
    internal static nn.Module<Tensor, Tensor> FindHookable(nn.Module model, string name)
    {
        var layer = Find(model, name);
        if (layer is jit.ScriptModule || model.named_modules().Any(m => m.module is jit.ScriptModule && name.StartsWith(m.name + ".", StringComparison.Ordinal)))
        {
            throw new ArgumentException(
                $"Layer '{name}' belongs to a TorchScript module, whose layers run inside libtorch where hooks do not fire. Export features(x) and classify(f) methods and load the model as a TorchScriptBackbone (docs/torchscript.md).", nameof(name));
        }

        var hookable = layer as nn.Module<Tensor, Tensor>
            ?? throw new ArgumentException($"Layer '{name}' is a {layer.GetType().Name}, not a module of one tensor in and one tensor out, so its output cannot be captured.", nameof(name));
        // Installed now, while the caller constructs its method, so the hook table does not change under
        // concurrent forward passes later.
        ForwardTap.On(hookable);
        return hookable;
    }

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="inputs"/> with <paramref name="layer"/>'s output replaced by a
    /// detached copy that requires grad, so the logits can be differentiated with respect to that activation. Only
    /// this thread's forward pass is changed, and only for this call.
    /// </summary>
    /// <returns>The logits and the layer's output (a leaf that requires grad), in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentException">The layer did not run exactly once during the forward pass.</exception>
    internal static (Tensor Logits, Tensor Activation) RunWithDifferentiableLayer(nn.Module<Tensor, Tensor> model, nn.Module<Tensor, Tensor> layer, string name, Tensor inputs)
    {
        Tensor? activation = null;
        int calls = 0;
        // The hook runs inside the model's own dispose scopes; the activation must outlive them, in the caller's.
        var callerScope = CurrentDisposeScope;
        Tensor logits;
        // The tap hands this thread's forward pass only to the handler: pipeline cursors and pooled
        // PredictionEngines may run the model on other threads at the same time.
        using (ForwardTap.On(layer).Attach((_, _, output) =>
        {
            calls++;
            if (calls > 1)
            {
                return output;
            }

            activation = output.detach().requires_grad_();
            if (callerScope is null)
            {
                activation.DetachFromDisposeScope();
            }
            else
            {
                activation.MoveToOtherDisposeScope(callerScope);
            }

            return activation;
        }))
        {
            using var grad = enable_grad();
            logits = model.call(inputs);
        }

        if (calls != 1 || activation is null)
        {
            throw new ArgumentException(calls == 0
                ? $"Layer '{name}' did not run during the model's forward pass, so there is no activation to explain (is it used by forward?)."
                : $"Layer '{name}' ran {calls} times in one forward pass; a layer method needs a layer used exactly once (give each call site its own module).", nameof(name));
        }

        return (logits, activation);
    }

    /// <summary>The gradient of each example's target logit with respect to <paramref name="activation"/> (batch-first).</summary>
    internal static Tensor TargetGradient(Tensor logits, Tensor activation, Tensor targets)
    {
        AttributionInputs.CheckOutput(logits, targets, activation.shape[0]);
        // Summing the selected logits gives each example its own gradient: examples are independent in eval mode.
        var selected = logits.gather(1, targets.view(-1, 1)).sum();
        return Gradients.Of(selected, activation);
    }
}
