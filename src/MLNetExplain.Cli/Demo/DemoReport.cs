namespace MLNetExplain.Cli.Demo;

/// <summary>Everything the demo reports, filled in as the job goes.</summary>
internal sealed class DemoReport
{
    public required DemoOptions Options { get; init; }

    public int Threads { get; init; }

    public double ClassifierAccuracy { get; set; }

    public double RobustCleanAccuracy { get; set; }

    public double RobustAdversarialAccuracy { get; set; }

    public int AttackedRows { get; set; }

    public IReadOnlyList<LatencyRow> Latency { get; set; } = [];

    public int DeletionRows { get; set; }

    public IReadOnlyList<CurveRow> Deletion { get; set; } = [];

    public byte[] Grid { get; set; } = [];

    public List<string> Log { get; } = [];

    public TimeSpan Elapsed { get; set; }
}
