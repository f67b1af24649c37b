namespace MLNetExplain.Attribution;

/// <summary>
/// Centring for the weighted linear surrogates (<see cref="WeightedLasso"/>, <see cref="WeightedLeastSquares"/>):
/// fitting an unpenalised intercept equals fitting the centred problem, as scikit-learn does for both.
/// </summary>
internal static class WeightedCentring
{
    /// <summary>
    /// X and y minus their weighted means, with the weights normalised to sum to 1; columns constant over the
    /// weighted samples come out exactly 0 (rather than rounding noise), so they get no coefficient. Null weights
    /// when they sum to 0.
    /// </summary>
    public static (double[] X, double[] Y, double[]? Weights) Centre(double[] x, int features, double[] y, double[] weights)
    {
        int samples = y.Length;
        double sum = weights.Sum();
        var centredX = (double[])x.Clone();
        var centredY = (double[])y.Clone();
        if (!(sum > 0))
        {
            return (centredX, centredY, null);
        }

        var v = weights.Select(value => value / sum).ToArray();
        double yMean = 0;
        for (int i = 0; i < samples; i++)
        {
            yMean += v[i] * y[i];
        }

        for (int i = 0; i < samples; i++)
        {
            centredY[i] -= yMean;
        }

        for (int j = 0; j < features; j++)
        {
            double mean = 0;
            bool constant = true;
            double first = double.NaN;
            for (int i = 0; i < samples; i++)
            {
                if (v[i] == 0)
                {
                    continue;
                }

                double value = x[i * features + j];
                mean += v[i] * value;
                constant &= double.IsNaN(first) || value == first;
                first = double.IsNaN(first) ? value : first;
            }

            for (int i = 0; i < samples; i++)
            {
                centredX[i * features + j] = constant ? 0 : x[i * features + j] - mean;
            }
        }

        return (centredX, centredY, v);
    }
}
