using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>Baselines (reference inputs) checked and expanded before any native call.</summary>
internal static class Baselines
{
    /// <summary>
    /// <paramref name="baselines"/> expanded to <paramref name="inputs"/>' shape, dtype and device, or a constant
    /// <paramref name="value"/> when null.
    /// </summary>
    /// <exception cref="ArgumentException">The baselines are not floating point or do not broadcast to the inputs.</exception>
    public static Tensor Resolve(Tensor? baselines, Tensor inputs, double value = 0)
    {
        if (baselines is null)
        {
            return full_like(inputs, value);
        }

        if (!baselines.is_floating_point())
        {
            throw new ArgumentException($"baselines must be floating point; got {baselines.dtype}.", nameof(baselines));
        }

        if (!Broadcasts(baselines.shape, inputs.shape))
        {
            throw new ArgumentException(
                $"baselines [{AttributionInputs.Shape(baselines)}] must broadcast to the inputs [{AttributionInputs.Shape(inputs)}] (e.g. [N, ...], [1, ...], the image shape or a scalar).",
                nameof(baselines));
        }

        return baselines.detach().to(inputs.dtype).to(inputs.device).expand(inputs.shape);
    }

    /// <summary>Whether <paramref name="from"/> broadcasts to <paramref name="to"/> under PyTorch's rules.</summary>
    public static bool Broadcasts(long[] from, long[] to)
    {
        if (from.Length > to.Length)
        {
            return false;
        }

        for (int i = 1; i <= from.Length; i++)
        {
            long f = from[^i];
            if (f != 1 && f != to[^i])
            {
                return false;
            }
        }

        return true;
    }
}
