using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>Turns attribution maps into one score per ranked feature, and scores into replacement masks.</summary>
internal static class FeatureRanking
{
    /// <summary>Features per image: C·H·W elements or H·W pixels.</summary>
    public static long Units(long[] imageShape, RankingGranularity granularity) =>
        granularity == RankingGranularity.Element ? imageShape[1] * imageShape[2] * imageShape[3] : imageShape[2] * imageShape[3];

    /// <summary>Float32 CPU scores [n, units] from maps [n, C', H, W] of images [n, C, H, W].</summary>
    public static Tensor Scores(Tensor maps, long[] imageShape, RankingGranularity granularity, bool absolute, string argument)
    {
        long c = imageShape[1], h = imageShape[2], w = imageShape[3];
        bool elementOk = maps.shape[1] == c;
        if (maps.dim() != 4 || !maps.is_floating_point() || maps.shape[0] != imageShape[0] || maps.shape[2] != h || maps.shape[3] != w
            || (granularity == RankingGranularity.Element ? !elementOk : maps.shape[1] != c && maps.shape[1] != 1))
        {
            string channels = granularity == RankingGranularity.Element ? $"{c}" : $"{c} or 1";
            throw new ArgumentException(
                $"{argument} must be floating-point maps [{imageShape[0]}, {channels}, {h}, {w}] (one per image; per-element ranking needs the image's channels); got {maps.dtype} [{AttributionInputs.Shape(maps)}].",
                argument);
        }

        using var scope = NewDisposeScope();
        var s = maps.detach().to(CPU).to_type(ScalarType.Float32);
        if (absolute)
        {
            s = s.abs();
        }

        if (granularity == RankingGranularity.Pixel)
        {
            s = s.mean([1]);
        }

        return s.reshape(imageShape[0], -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Boolean masks [n, units], true where a feature is replaced: the <paramref name="count"/> highest scores
    /// (<paramref name="highest"/>) or lowest. Ties keep index order (a stable descending sort, as tf.math.top_k
    /// prefers the lower index), so a constant map replaces the first features in raster order.
    /// </summary>
    public static Tensor Mask(Tensor scores, long count, bool highest)
    {
        using var scope = NewDisposeScope();
        long units = scores.shape[1];
        var (_, order) = scores.sort(1, descending: true, stable: true);
        var chosen = highest ? order.narrow(1, 0, count) : order.narrow(1, units - count, count);
        var mask = zeros(scores.shape, ScalarType.Bool).scatter_(1, chosen, ones(chosen.shape, ScalarType.Bool));
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>The number of features a fraction replaces: floor(ratio · units), as Hooker et al.'s <c>int(t / 100 · size)</c>.</summary>
    public static long Count(double ratio, long units) => Math.Min(units, (long)Math.Floor(ratio * units + 1e-9));
}
