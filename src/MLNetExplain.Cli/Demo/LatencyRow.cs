using MLNetExplain.Evaluation;

namespace MLNetExplain.Cli.Demo;

/// <summary>A latency measurement of one way of getting maps, at one batch size.</summary>
internal sealed record LatencyRow(string Method, int BatchSize, LatencyResult Result)
{
    /// <summary>Milliseconds per image (the batch's median time over its size).</summary>
    public double MillisecondsPerImage => Result.MedianMilliseconds / BatchSize;
}
