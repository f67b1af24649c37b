namespace MLNetExplain.Evaluation;

/// <summary>One point of a ROAR or KAR curve: a method's accuracy at one replaced fraction over the seeds.</summary>
/// <param name="Method">The ranking's name (<see cref="RoarCell.UnmodifiedMethod"/> for the unmodified baseline).</param>
/// <param name="Mode">ROAR or KAR.</param>
/// <param name="Ratio">The fraction of the features replaced.</param>
/// <param name="Accuracies">Test accuracy per seed, in <see cref="RoarOptions.Seeds"/> order.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="StandardDeviation">Their sample standard deviation (n - 1; 0 for one seed).</param>
public sealed record RoarPoint(string Method, RoarMode Mode, double Ratio, double[] Accuracies, double Mean, double StandardDeviation)
{
    internal static RoarPoint From(string method, RoarMode mode, double ratio, double[] accuracies)
    {
        double mean = accuracies.Average();
        double sd = accuracies.Length < 2 ? 0 : Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Length - 1));
        return new RoarPoint(method, mode, ratio, accuracies, mean, sd);
    }
}

/// <summary>The result of a ROAR/KAR grid.</summary>
/// <param name="Unmodified">Accuracy of models retrained on the unmodified data (ratio 0), or null when not requested.</param>
/// <param name="Points">One point per (method, mode, ratio), in the order methods, modes and ratios were given.</param>
public sealed record RoarResult(RoarPoint? Unmodified, IReadOnlyList<RoarPoint> Points)
{
    /// <summary>The point of <paramref name="method"/> at <paramref name="ratio"/> in <paramref name="mode"/>.</summary>
    /// <exception cref="KeyNotFoundException">The grid has no such point.</exception>
    public RoarPoint this[string method, RoarMode mode, double ratio] =>
        Points.FirstOrDefault(p => p.Method == method && p.Mode == mode && p.Ratio == ratio)
        ?? throw new KeyNotFoundException($"No ROAR point for {method}, {mode}, ratio {ratio}.");
}
