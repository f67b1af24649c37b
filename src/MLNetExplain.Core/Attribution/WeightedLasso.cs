namespace MLNetExplain.Attribution;

/// <summary>
/// The Lasso surrogate of <see cref="Lime"/>: a linear model y ~ b + X w with sample weights v, minimising
/// (1 / (2 sum v)) sum_i v_i (y_i - b - x_i w)^2 + alpha |w|_1, the objective of scikit-learn's
/// <c>Lasso(alpha).fit(X, y, sample_weight=v)</c> that Captum's default <c>SkLearnLasso(alpha=0.01)</c> calls.
/// </summary>
/// <remarks>
/// The intercept is fitted by centring X and y on their weighted means (as scikit-learn does) and is not penalised.
/// Cyclic coordinate descent with soft thresholding runs until no coefficient moves by more than 1e-10 of the
/// largest, or after 10,000 sweeps (scikit-learn stops at a duality gap of 1e-4 or 1,000 sweeps, so its coefficients
/// can differ in the last digits).
/// Computed in double precision on the CPU; the problems are small (samples x interpretable features).
/// </remarks>
internal static class WeightedLasso
{
    private const int MaxSweeps = 10_000;
    private const double Tolerance = 1e-10;

    /// <summary>The coefficients w (the intercept is dropped).</summary>
    /// <param name="x">The design, row-major [samples, features].</param>
    /// <param name="features">Columns of <paramref name="x"/>.</param>
    /// <param name="y">Targets [samples].</param>
    /// <param name="weights">Non-negative sample weights [samples].</param>
    /// <param name="alpha">The L1 penalty (>= 0).</param>
    public static double[] Fit(double[] x, int features, double[] y, double[] weights, double alpha)
    {
        int samples = y.Length;
        var w = new double[features];
        var (centred, residual, v) = WeightedCentring.Centre(x, features, y, weights);
        if (v is null)
        {
            return w;
        }

        var curvature = new double[features];
        for (int j = 0; j < features; j++)
        {
            for (int i = 0; i < samples; i++)
            {
                curvature[j] += v[i] * centred[i * features + j] * centred[i * features + j];
            }
        }

        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double largestStep = 0, largest = 0;
            for (int j = 0; j < features; j++)
            {
                if (curvature[j] == 0)
                {
                    continue;
                }

                double rho = curvature[j] * w[j];
                for (int i = 0; i < samples; i++)
                {
                    rho += v[i] * centred[i * features + j] * residual[i];
                }

                double updated = Math.Sign(rho) * Math.Max(Math.Abs(rho) - alpha, 0) / curvature[j];
                double step = updated - w[j];
                if (step != 0)
                {
                    for (int i = 0; i < samples; i++)
                    {
                        residual[i] -= step * centred[i * features + j];
                    }

                    w[j] = updated;
                }

                largestStep = Math.Max(largestStep, Math.Abs(step));
                largest = Math.Max(largest, Math.Abs(updated));
            }

            if (largestStep <= Tolerance * largest)
            {
                break;
            }
        }

        return w;
    }
}
