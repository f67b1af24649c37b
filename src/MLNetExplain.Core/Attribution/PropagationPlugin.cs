using MLNetExplain.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Seed 002's learnable plugin on every <c>nn.ReLU</c> module of a model, for one batch: in the backward pass the
/// ReLU passes back g_in = g_out * (relu'(z) + tanh(w * u)), where z is the ReLU's pre-activation, u = z - z_ref
/// (z_ref: its value at an all-zero image) or u = z, and w a parameter per example and feature-map element (seed
/// 002's second architecture: parameters as large as the feature map, a Hadamard product, then tanh).
/// </summary>
/// <remarks>
/// <para>
/// The parameters start at zero, where the rule is the plain ReLU gradient. The rule is built from differentiable
/// tensor ops rather than a custom autograd function: the hooked ReLU returns
/// <c>relu(z).detach() + (z - z.detach()) * factor</c>, equal in value to relu(z) and with derivative
/// <c>factor</c>, so the input-gradient taken with create_graph is itself differentiable with respect to the
/// parameters (the second-order gradient the optimisation needs) and no managed code runs inside a backward pass.
/// </para>
/// <para>
/// The factor is read at the forward pass (z and u are constants to it), so every parameter acts on its own example
/// only: examples stay independent, as in eval-mode forward passes.
/// </para>
/// </remarks>
internal sealed class PropagationPlugin
{
    private const string Supported = "nn.ReLU";

    private readonly Dictionary<nn.Module, (Tensor Weights, Tensor? Reference)> _layers;

    private PropagationPlugin(Dictionary<nn.Module, (Tensor Weights, Tensor? Reference)> layers)
    {
        _layers = layers;
        Parameters = [.. layers.Values.Select(l => l.Weights)];
    }

    /// <summary>The plugin's parameters, one tensor per ReLU module shaped like its pre-activation [N, ...]; leaves requiring grad.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>
    /// A plugin at its identity initialisation for a batch shaped like <paramref name="inputs"/>: one forward pass
    /// of an all-zero batch records every ReLU module's pre-activation shape and, with
    /// <paramref name="subtractReference"/>, its reference value.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no <c>nn.ReLU</c> module.</exception>
    /// <exception cref="InvalidOperationException">No ReLU module was called, or one was called twice.</exception>
    public static PropagationPlugin Create(nn.Module<Tensor, Tensor> model, Tensor inputs, bool subtractReference, string method)
    {
        // The hook runs inside the model's own dispose scopes: what it records leaves them, and joins ours below.
        var recorded = new List<(nn.Module Module, Tensor PreActivation)>();
        try
        {
            using (var hooks = new ActivationHooks(model, method, Supported, ActivationHooks.IsReLU, (module, input, output) =>
                   {
                       recorded.Add((module, input.detach().clone().DetachFromDisposeScope()));
                       return output;
                   }))
            {
                using (no_grad())
                {
                    model.call(zeros_like(inputs));
                }

                hooks.EnsureUsed();
            }

            var layers = new Dictionary<nn.Module, (Tensor Weights, Tensor? Reference)>(ReferenceEqualityComparer.Instance);
            foreach (var (module, z) in recorded)
            {
                layers[module] = (zeros_like(z).requires_grad_(), subtractReference ? z.clone() : null);
            }

            return new PropagationPlugin(layers);
        }
        finally
        {
            foreach (var (_, z) in recorded)
            {
                z.Dispose();
            }
        }
    }

    /// <summary>
    /// The input-gradient of each example's target logit with every ReLU module passing gradients back by the
    /// plugin's rule; with <paramref name="createGraph"/> it stays differentiable with respect to <see cref="Parameters"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A ReLU module is called twice, or its input no longer has the recorded shape.</exception>
    public Tensor Gradient(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, bool createGraph, string method)
    {
        using var hooks = new ActivationHooks(model, method, Supported, ActivationHooks.IsReLU, Rule);
        using var grad = enable_grad();
        var x = inputs.detach().requires_grad_();
        var logits = model.call(x);
        AttributionInputs.CheckOutput(logits, targets, inputs.shape[0]);
        hooks.EnsureUsed();
        // Summing the selected logits gives every example its own gradient: examples are independent in eval mode.
        var selected = logits.gather(1, targets.view(-1, 1)).sum();
        return Gradients.Of(selected, x, createGraph: createGraph);
    }

    private Tensor Rule(nn.Module module, Tensor input, Tensor output)
    {
        if (!_layers.TryGetValue(module, out var layer) || !layer.Weights.shape.SequenceEqual(input.shape))
        {
            throw new InvalidOperationException(
                $"The {module.GetType().Name} module's input [{string.Join(", ", input.shape)}] differs from the pre-activation recorded for the plugin; the model must compute the same ReLUs with the same shapes on every forward pass.");
        }

        var z = input.detach();
        var u = layer.Reference is null ? z : z - layer.Reference;
        var factor = z.gt(0).to_type(z.dtype) + tanh(layer.Weights * u);
        return output.detach() + (input - z) * factor;
    }
}
