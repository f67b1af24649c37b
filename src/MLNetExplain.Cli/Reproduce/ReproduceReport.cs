using MLNetExplain.Evaluation;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>A model's test accuracy in the report.</summary>
internal sealed record AccuracyEntry(string Model, double Accuracy);

/// <summary>Everything the reproduce report shows.</summary>
internal sealed class ReproduceReport
{
    public required ReproduceOptions Options { get; init; }

    public int Threads { get; init; }

    public TimeSpan Elapsed { get; set; }

    public IReadOnlyList<AccuracyEntry> Accuracy { get; set; } = [];

    public RoarResult? Roar { get; set; }

    public IReadOnlyList<CurvePair> Curves { get; set; } = [];

    public SanityResult? Sanity { get; set; }

    public IReadOnlyList<LatencyEntry> Latency { get; set; } = [];

    public IReadOnlyList<string> Log { get; set; } = [];
}
