using MLNetExplain.Evaluation;

namespace MLNetExplain.Tests.Evaluation;

public class LatencyTests
{
    [Fact]
    public void SummaryTakesTheMedianOfTheRuns()
    {
        Assert.Equal(new LatencyResult(3, 1, 3, 3), LatencyResult.FromTimes([5, 1, 3]));
        Assert.Equal(new LatencyResult(2.5, 1, 2.5, 4), LatencyResult.FromTimes([4, 1, 3, 2]));
    }

    [Fact]
    public void WarmupRunsAreNotTimedAndEveryRunIsMeasured()
    {
        int calls = 0;
        // The first (warm-up) call is slow; the timed ones sleep about 5 ms.
        var result = Latency.Measure(() => Thread.Sleep(calls++ == 0 ? 300 : 5), runs: 5, warmup: 1);
        Assert.Equal(6, calls);
        Assert.Equal(5, result.Runs);
        Assert.InRange(result.MedianMilliseconds, 4.5, 250);
        Assert.True(result.MinMilliseconds <= result.MedianMilliseconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => Latency.Measure(() => { }, runs: 0));
    }
}
