using static TorchSharp.torch;

namespace MLNetExplain.Engine;

/// <summary>
/// <c>torch.autograd.grad</c> with its preconditions checked first: TorchSharp 0.107 aborts the process
/// (no .NET exception) when an input does not require grad, when an input is unused, or when a graph that
/// <c>grad</c> already freed is walked again.
/// </summary>
public static class Gradients
{
    /// <summary>
    /// d(<paramref name="output"/>)/d(<paramref name="input"/>), weighted by <paramref name="gradOutput"/> when
    /// given (else <paramref name="output"/> must be a scalar).
    /// </summary>
    /// <param name="output">What to differentiate; must depend on <paramref name="input"/>.</param>
    /// <param name="input">A tensor that requires grad.</param>
    /// <param name="gradOutput">The vector of the vector-Jacobian product, shaped like <paramref name="output"/>.</param>
    /// <param name="createGraph">Keep the graph of the gradient for a second derivative; retains the graph too
    /// (PyTorch's default, not TorchSharp's).</param>
    /// <param name="retainGraph">Keep the graph for another backward pass even without <paramref name="createGraph"/>.</param>
    /// <exception cref="ArgumentException">An input does not require grad, or the output does not depend on it.</exception>
    public static Tensor Of(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false, bool retainGraph = false) =>
        Of(output, [input], gradOutput, createGraph, retainGraph)[0];

    /// <summary>Gradients of <paramref name="output"/> with respect to each of <paramref name="inputs"/>.</summary>
    /// <inheritdoc cref="Of(Tensor, Tensor, Tensor?, bool, bool)"/>
    public static Tensor[] Of(Tensor output, IReadOnlyList<Tensor> inputs, Tensor? gradOutput = null, bool createGraph = false, bool retainGraph = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!output.requires_grad)
        {
            throw new ArgumentException("The output does not require grad: it does not depend on any input that requires grad (was it computed under no_grad, or from detached inputs?).", nameof(output));
        }

        if (gradOutput is null && output.numel() != 1)
        {
            throw new ArgumentException($"A non-scalar output [{string.Join(", ", output.shape)}] needs a gradOutput of the same shape.", nameof(gradOutput));
        }

        if (gradOutput is not null && !gradOutput.shape.SequenceEqual(output.shape))
        {
            throw new ArgumentException($"gradOutput has shape [{string.Join(", ", gradOutput.shape)}]; the output has [{string.Join(", ", output.shape)}].", nameof(gradOutput));
        }

        if (gradOutput is not null && (gradOutput.dtype != output.dtype || gradOutput.device_type != output.device_type || gradOutput.device_index != output.device_index))
        {
            throw new ArgumentException($"gradOutput is {gradOutput.dtype} on {gradOutput.device}; the output is {output.dtype} on {output.device}.", nameof(gradOutput));
        }

        for (int i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].requires_grad)
            {
                throw new ArgumentException($"Input {i} [{string.Join(", ", inputs[i].shape)}] does not require grad; call requires_grad_() on it before the forward pass.", nameof(inputs));
            }
        }

        var grads = autograd.grad([output], inputs.ToList(), gradOutput is null ? null : [gradOutput],
            retain_graph: retainGraph || createGraph, create_graph: createGraph, allow_unused: true);
        var result = new Tensor[inputs.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var g = grads[i];
            if (g is null || g.IsInvalid)
            {
                foreach (var other in grads)
                {
                    other?.Dispose();
                }

                throw new ArgumentException($"The output does not depend on input {i} [{string.Join(", ", inputs[i].shape)}]: its gradient is undefined.", nameof(inputs));
            }

            result[i] = g;
        }

        return result;
    }
}
