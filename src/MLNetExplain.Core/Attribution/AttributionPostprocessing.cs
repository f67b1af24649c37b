using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>Absolute value, channel reduction, then per-example normalisation of attributions [N, C, H, W].</summary>
public static class AttributionPostprocessing
{
    /// <summary>Applies |.| (when asked), then <paramref name="reduction"/>, then <paramref name="normalization"/>.</summary>
    /// <param name="attribution">Attributions [N, C, H, W]; not modified.</param>
    /// <param name="reduction">How channels are combined.</param>
    /// <param name="normalization">Per-example scaling; an all-zero map stays zero.</param>
    /// <param name="absolute">Take absolute values before reducing.</param>
    /// <returns>[N, C, H, W] or [N, 1, H, W]; the caller owns it.</returns>
    /// <exception cref="ArgumentException">The attribution is not [N, C, H, W].</exception>
    public static Tensor Apply(Tensor attribution, ChannelReduction reduction, AttributionNormalization normalization, bool absolute = false)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        if (attribution.dim() != 4 || !attribution.is_floating_point())
        {
            throw new ArgumentException($"attribution must be floating point [N, C, H, W]; got {attribution.dtype} [{AttributionInputs.Shape(attribution)}].", nameof(attribution));
        }

        using var scope = NewDisposeScope();
        var a = absolute ? attribution.abs() : attribution;
        var reduced = reduction switch
        {
            ChannelReduction.None => a,
            ChannelReduction.Sum => a.sum(1, keepdim: true),
            ChannelReduction.Mean => a.mean([1], keepdim: true),
            ChannelReduction.MaxAbs => a.abs().amax([1], keepdim: true),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown channel reduction."),
        };
        long n = reduced.shape[0];
        var result = normalization switch
        {
            AttributionNormalization.None => reduced.clone(),
            AttributionNormalization.MaxAbs => reduced / reduced.abs().view(n, -1).amax([1]).view(n, 1, 1, 1).clamp_min(1e-12),
            AttributionNormalization.SumAbs => reduced / reduced.abs().view(n, -1).sum(1).view(n, 1, 1, 1).clamp_min(1e-12),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown normalization."),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The map shape [C', H, W] for an input shape [C, H, W] under <paramref name="reduction"/>.</summary>
    public static int[] OutputShape(IReadOnlyList<int> inputShape, ChannelReduction reduction)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Count != 3)
        {
            throw new ArgumentException($"inputShape must be [C, H, W]; got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        }

        return reduction == ChannelReduction.None ? [.. inputShape] : [1, inputShape[1], inputShape[2]];
    }
}
