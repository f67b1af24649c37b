using System.Diagnostics;

namespace MLNetExplain.Evaluation;

/// <summary>
/// Measures an operation's wall time: warm-up runs are discarded, then the median of the measured runs is
/// reported. Measure the things you compare side by side in one process and run, so that they share the
/// machine's state (seed 001 compares explainers by CPU latency per image).
/// </summary>
public static class Latency
{
    /// <summary>Times <paramref name="operation"/> <paramref name="runs"/> times after <paramref name="warmup"/> untimed runs.</summary>
    /// <param name="operation">What to time; for TorchSharp work, dispose its tensors inside (a dispose scope).</param>
    /// <param name="runs">Measured runs (at least 1).</param>
    /// <param name="warmup">Untimed runs first (at least 0).</param>
    public static LatencyResult Measure(Action operation, int runs = 30, int warmup = 5)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        for (int k = 0; k < warmup; k++)
        {
            operation();
        }

        var times = new double[runs];
        for (int k = 0; k < runs; k++)
        {
            long start = Stopwatch.GetTimestamp();
            operation();
            times[k] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return LatencyResult.FromTimes(times);
    }
}
