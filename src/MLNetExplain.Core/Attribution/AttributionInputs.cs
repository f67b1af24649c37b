using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Checks what attribution methods are given before any native call: TorchSharp aborts the process, or fails
/// deep inside libtorch, on shapes and types that a clear message can name first.
/// </summary>
internal static class AttributionInputs
{
    /// <summary>Validates batch-first floating inputs [N, ...] and integral targets [N].</summary>
    public static void Check(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.dim() < 2 || inputs.shape[0] < 1)
        {
            throw new ArgumentException($"inputs must be a batch [N, C, H, W] (N >= 1); got [{Shape(inputs)}].", nameof(inputs));
        }

        if (!inputs.is_floating_point())
        {
            throw new ArgumentException($"inputs must be Float32 or Float64 pixels; got {inputs.dtype}.", nameof(inputs));
        }

        if (targets.dim() != 1 || targets.shape[0] != inputs.shape[0])
        {
            throw new ArgumentException($"targets must be one class index per example, shape [{inputs.shape[0]}]; got [{Shape(targets)}].", nameof(targets));
        }

        if (!torch.is_integral(targets.dtype))
        {
            throw new ArgumentException($"targets must be integer class indices (Int64); got {targets.dtype}.", nameof(targets));
        }
    }

    /// <summary>Validates the model's output [N, K] and that every target indexes one of its K classes.</summary>
    public static void CheckOutput(Tensor output, Tensor targets, long batch)
    {
        if (output.dim() != 2 || output.shape[0] != batch)
        {
            throw new ArgumentException($"The model must return logits [N, K] = [{batch}, K] for a batch of {batch}; it returned [{Shape(output)}].", "model");
        }

        long min = targets.min().to_type(ScalarType.Int64).item<long>();
        long max = targets.max().to_type(ScalarType.Int64).item<long>();
        if (min < 0 || max >= output.shape[1])
        {
            throw new ArgumentException($"targets must lie in [0, {output.shape[1] - 1}] (the model has {output.shape[1]} outputs); got values from {min} to {max}.", nameof(targets));
        }
    }

    /// <summary>Checks that the model's floating parameters have the inputs' dtype and device.</summary>
    public static void CheckModel(nn.Module model, Tensor inputs)
    {
        foreach (var parameter in model.parameters())
        {
            if (!parameter.is_floating_point())
            {
                continue;
            }

            if (parameter.dtype != inputs.dtype)
            {
                throw new ArgumentException($"inputs are {inputs.dtype} but the model's parameters are {parameter.dtype}; convert one to the other (model.to({inputs.dtype}) or inputs.to_type({parameter.dtype})).", nameof(inputs));
            }

            if (parameter.device_type != inputs.device_type)
            {
                throw new ArgumentException($"inputs are on {inputs.device} but the model is on {parameter.device}.", nameof(inputs));
            }

            return;
        }
    }

    public static string Shape(Tensor t) => string.Join(", ", t.shape);
}
