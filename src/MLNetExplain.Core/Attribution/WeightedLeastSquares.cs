using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// The linear-regression surrogate of <see cref="KernelShap"/>: y ~ b + X w minimising sum_i v_i (y_i - b - x_i w)^2,
/// scikit-learn's <c>LinearRegression().fit(X, y, sample_weight=v)</c> that Captum's <c>SkLearnLinearRegression</c>
/// calls: the intercept by weighted centring, rows scaled by sqrt(v), and the minimum-norm solution (LAPACK's,
/// through the pseudo-inverse) when the samples do not determine every coefficient.
/// </summary>
internal static class WeightedLeastSquares
{
    /// <summary>The coefficients w (the intercept is dropped).</summary>
    /// <param name="x">The design, row-major [samples, features].</param>
    /// <param name="features">Columns of <paramref name="x"/>.</param>
    /// <param name="y">Targets [samples].</param>
    /// <param name="weights">Non-negative sample weights [samples].</param>
    public static double[] Fit(double[] x, int features, double[] y, double[] weights)
    {
        int samples = y.Length;
        var (centred, target, v) = WeightedCentring.Centre(x, features, y, weights);
        if (v is null)
        {
            return new double[features];
        }

        using var scope = NewDisposeScope();
        var root = tensor(v.Select(Math.Sqrt).ToArray()).view(-1, 1);
        var a = tensor(centred, [samples, features]) * root;
        var b = tensor(target, [samples, 1]) * root;
        return linalg.pinv(a).matmul(b).flatten().data<double>().ToArray();
    }
}
