namespace MLNetExplain.Attribution;

/// <summary>
/// How Integrated Gradients approximates its path integral over alpha in [0, 1]: Captum's
/// <c>approximation_methods</c> (<c>method="gausslegendre"</c>, <c>"riemann_left"</c>, ...).
/// </summary>
public enum IntegrationRule
{
    /// <summary>Gauss-Legendre quadrature mapped to [0, 1] (Captum's default): exact for polynomials of degree 2n - 1, all nodes strictly inside (0, 1).</summary>
    GaussLegendre,

    /// <summary>Left Riemann sum: alpha = 0, 1/n, ..., 1 - 1/n, weights 1/n.</summary>
    RiemannLeft,

    /// <summary>Right Riemann sum (the IG paper's): alpha = 1/n, ..., 1, weights 1/n.</summary>
    RiemannRight,

    /// <summary>Midpoint Riemann sum: alpha = 1/(2n), 3/(2n), ..., 1 - 1/(2n), weights 1/n.</summary>
    RiemannMiddle,

    /// <summary>
    /// Trapezoid rule on n equally spaced points 0, 1/(n-1), ..., 1: weights 1/(n-1), halved at both ends, so they sum
    /// to 1 (Captum halves the ends of 1/n weights, which sum to 1 - 1/n; see docs/attribution.md).
    /// </summary>
    RiemannTrapezoid,
}

/// <summary>The points (alpha) and weights of an <see cref="IntegrationRule"/> on [0, 1], computed in double precision.</summary>
public static class IntegrationRules
{
    /// <summary>
    /// The <paramref name="steps"/> points in increasing order and their weights, for integrals over [0, 1]: the
    /// integral of g is approximated by sum_k Weights[k] g(Alphas[k]).
    /// </summary>
    /// <param name="rule">The rule.</param>
    /// <param name="steps">The number of points: at least 1 (2 for the trapezoid).</param>
    /// <exception cref="ArgumentOutOfRangeException">Too few steps for the rule, or an unknown rule.</exception>
    public static (double[] Alphas, double[] Weights) Points(IntegrationRule rule, int steps)
    {
        int min = rule == IntegrationRule.RiemannTrapezoid ? 2 : 1;
        if (steps < min)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"{rule} needs at least {min} step(s).");
        }

        var alphas = new double[steps];
        var weights = new double[steps];
        switch (rule)
        {
            case IntegrationRule.GaussLegendre:
                GaussLegendre(steps, alphas, weights);
                break;
            case IntegrationRule.RiemannLeft:
            case IntegrationRule.RiemannRight:
            case IntegrationRule.RiemannMiddle:
                double offset = rule == IntegrationRule.RiemannLeft ? 0 : rule == IntegrationRule.RiemannRight ? 1 : 0.5;
                for (int k = 0; k < steps; k++)
                {
                    alphas[k] = (k + offset) / steps;
                    weights[k] = 1.0 / steps;
                }

                break;
            case IntegrationRule.RiemannTrapezoid:
                for (int k = 0; k < steps; k++)
                {
                    alphas[k] = (double)k / (steps - 1);
                    weights[k] = (k == 0 || k == steps - 1 ? 0.5 : 1.0) / (steps - 1);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown integration rule.");
        }

        return (alphas, weights);
    }

    /// <summary>
    /// Legendre nodes xi and weights w on [-1, 1] by Newton's method on P_n (evaluated by its three-term recurrence),
    /// mapped to alpha = (1 + xi) / 2 and w / 2 as Captum maps numpy's <c>leggauss</c>.
    /// </summary>
    private static void GaussLegendre(int n, double[] alphas, double[] weights)
    {
        // Nodes are symmetric: find the m non-negative ones and mirror them.
        int m = (n + 1) / 2;
        for (int i = 0; i < m; i++)
        {
            // Tricomi's approximation of the i-th largest root starts Newton within its basin.
            double x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative = 0;
            for (int iteration = 0; iteration < 100; iteration++)
            {
                (double p, derivative) = Legendre(n, x);
                double step = p / derivative;
                x -= step;
                if (Math.Abs(step) <= 1e-16 * Math.Max(1, Math.Abs(x)))
                {
                    break;
                }
            }

            (_, derivative) = Legendre(n, x);
            double w = 2 / ((1 - x * x) * derivative * derivative);
            // Increasing alpha: node -x sits at index i, node +x at n - 1 - i (the same when x is the middle root 0).
            alphas[i] = (1 - x) / 2;
            alphas[n - 1 - i] = (1 + x) / 2;
            weights[i] = weights[n - 1 - i] = w / 2;
        }
    }

    /// <summary>P_n(x) and P_n'(x) from the recurrence (k + 1) P_{k+1} = (2k + 1) x P_k - k P_{k-1}.</summary>
    private static (double Value, double Derivative) Legendre(int n, double x)
    {
        double previous = 1, current = x;
        for (int k = 1; k < n; k++)
        {
            double next = ((2 * k + 1) * x * current - k * previous) / (k + 1);
            previous = current;
            current = next;
        }

        // n = 1: P_1 = x, P_0 = 1; the derivative formula holds for |x| < 1, where all roots lie.
        return (current, n * (x * current - previous) / (x * x - 1));
    }
}
