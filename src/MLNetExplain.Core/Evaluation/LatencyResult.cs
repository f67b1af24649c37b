namespace MLNetExplain.Evaluation;

/// <summary>Summary of repeated timings.</summary>
/// <param name="MedianMilliseconds">The median of the measured runs.</param>
/// <param name="MinMilliseconds">The fastest run.</param>
/// <param name="MeanMilliseconds">The mean of the runs.</param>
/// <param name="Runs">How many runs were measured (warm-up runs excluded).</param>
public sealed record LatencyResult(double MedianMilliseconds, double MinMilliseconds, double MeanMilliseconds, int Runs)
{
    internal static LatencyResult FromTimes(double[] milliseconds)
    {
        var times = milliseconds.Order().ToArray();
        int runs = times.Length;
        double median = runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
        return new LatencyResult(median, times[0], times.Average(), runs);
    }
}
