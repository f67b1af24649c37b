using MLNetExplain.Torch;

namespace MLNetExplain.Attribution.Methods;

/// <summary>How an attribution's channels are combined into one map.</summary>
public enum ChannelReduction
{
    /// <summary>Keep every channel: the map has the input's shape [C, H, W].</summary>
    None,
    /// <summary>Sum over channels (Captum's visualisation convention): [1, H, W].</summary>
    Sum,
    /// <summary>Mean over channels: [1, H, W].</summary>
    Mean,
    /// <summary>The largest absolute value over channels (Simonyan et al.'s saliency map): [1, H, W].</summary>
    MaxAbs,
}

/// <summary>Per-example scaling of an attribution map.</summary>
public enum AttributionNormalization
{
    /// <summary>Raw values.</summary>
    None,
    /// <summary>Divide by the largest absolute value (maps to [-1, 1], or [0, 1] for absolute maps).</summary>
    MaxAbs,
    /// <summary>Divide by the sum of absolute values (the map sums to 1 in magnitude).</summary>
    SumAbs,
}

/// <summary>Channel reduction then normalisation, per example, on [N, C, H, W] attributions.</summary>
public static class AttributionPostprocessing
{
    /// <summary>Applies <paramref name="reduction"/> then <paramref name="normalization"/>; the caller owns the result.</summary>
    public static Tensor Apply(Tensor attribution, ChannelReduction reduction, AttributionNormalization normalization)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var reduced = reduction switch
        {
            ChannelReduction.None => attribution,
            ChannelReduction.Sum => attribution.Sum(1, keepDim: true),
            ChannelReduction.Mean => attribution.Mean(1, keepDim: true),
            ChannelReduction.MaxAbs => attribution.Abs().Max(1, keepDim: true).Values,
            _ => throw new ArgumentOutOfRangeException(nameof(reduction)),
        };
        var n = reduced.Size(0);
        var result = normalization switch
        {
            AttributionNormalization.None => reduced.Clone(),
            AttributionNormalization.MaxAbs => reduced / reduced.Abs().View(n, -1).Max(1).Values.View(n, 1, 1, 1).Clamp(min: 1e-12),
            AttributionNormalization.SumAbs => reduced / reduced.Abs().View(n, -1).Sum(1).View(n, 1, 1, 1).Clamp(min: 1e-12),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization)),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The map shape [C', H, W] for an input shape [C, H, W] under <paramref name="reduction"/>.</summary>
    public static int[] OutputShape(IReadOnlyList<int> inputShape, ChannelReduction reduction) =>
        reduction == ChannelReduction.None ? [.. inputShape] : [1, inputShape[1], inputShape[2]];
}
