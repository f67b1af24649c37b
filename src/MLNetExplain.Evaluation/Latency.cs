using System.Diagnostics;

namespace MLNetExplain.Evaluation;

/// <summary>Summary of repeated timings.</summary>
public sealed record LatencyResult(double MedianMilliseconds, double MinMilliseconds, double MeanMilliseconds, int Runs);

/// <summary>
/// Measures an operation's wall time: warm-up runs are discarded, then the median of the measured runs is reported.
/// Measure the things you compare side by side in one process and run, so that they share the machine's state.
/// </summary>
public static class Latency
{
    /// <summary>Times <paramref name="operation"/> <paramref name="runs"/> times after <paramref name="warmup"/> untimed runs.</summary>
    public static LatencyResult Measure(Action operation, int runs = 30, int warmup = 5)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        for (var k = 0; k < warmup; k++)
        {
            operation();
        }

        var times = new double[runs];
        for (var k = 0; k < runs; k++)
        {
            var clock = Stopwatch.StartNew();
            operation();
            times[k] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        var median = runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
        return new LatencyResult(median, times[0], times.Average(), runs);
    }
}
