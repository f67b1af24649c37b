using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// Similarities between two explanation maps, as MPRT (Adebayo et al. 2018) reports them: Spearman rank
/// correlation (scipy's <c>spearmanr</c>: average ranks for ties) and SSIM (scikit-image's
/// <c>structural_similarity</c> defaults: 7 x 7 uniform window, K1 = 0.01, K2 = 0.03, sample covariance, mean over
/// the windows that fit, data range = max - min over both maps as Quantus sets it).
/// </summary>
public static class MapSimilarity
{
    /// <summary>Spearman's rank correlation of two equally long value lists; NaN when either is constant.</summary>
    /// <exception cref="ArgumentException">Different lengths or fewer than two values.</exception>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count < 2)
        {
            throw new ArgumentException($"Spearman needs two lists of the same length >= 2; got {a.Count} and {b.Count}.", nameof(b));
        }

        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }

        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>
    /// Mean SSIM of two maps [C, H, W] or [H, W] (channels compared separately and averaged, as scikit-image's
    /// <c>channel_axis</c>). Two maps that are both constant and equal give 1.
    /// </summary>
    /// <param name="a">The first map.</param>
    /// <param name="b">The second map, shaped like <paramref name="a"/>.</param>
    /// <param name="windowSize">Odd side of the uniform window (scikit-image: 7); at most the map's height and width.</param>
    /// <exception cref="ArgumentException">Different shapes, or a map smaller than the window.</exception>
    public static double Ssim(Tensor a, Tensor b, int windowSize = 7)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.shape.SequenceEqual(b.shape) || a.dim() is not (2 or 3))
        {
            throw new ArgumentException($"SSIM needs two maps of the same shape [C, H, W] or [H, W]; got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].", nameof(b));
        }

        if (windowSize < 1 || windowSize % 2 == 0 || a.shape[^1] < windowSize || a.shape[^2] < windowSize)
        {
            throw new ArgumentException($"SSIM's window must be odd and fit the map [{string.Join(", ", a.shape)}]; got {windowSize}.", nameof(windowSize));
        }

        using var scope = NewDisposeScope();
        var x = a.detach().to_type(ScalarType.Float64).cpu().reshape(-1, 1, a.shape[^2], a.shape[^1]);
        var y = b.detach().to_type(ScalarType.Float64).cpu().reshape(-1, 1, a.shape[^2], a.shape[^1]);
        double range = Math.Max(x.max().item<double>(), y.max().item<double>()) - Math.Min(x.min().item<double>(), y.min().item<double>());
        if (range == 0)
        {
            return 1; // both maps are the same constant
        }

        Tensor Mean(Tensor t) => nn.functional.avg_pool2d(t, windowSize, 1);
        double n = windowSize * windowSize, covariance = n / (n - 1);
        var ux = Mean(x);
        var uy = Mean(y);
        var vx = (Mean(x * x) - ux * ux) * covariance;
        var vy = (Mean(y * y) - uy * uy) * covariance;
        var vxy = (Mean(x * y) - ux * uy) * covariance;
        double c1 = Math.Pow(0.01 * range, 2), c2 = Math.Pow(0.03 * range, 2);
        var s = (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
        return s.mean().item<double>();
    }

    // 1-based ranks with ties sharing their average rank.
    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
            {
                end++;
            }

            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }
}
