using System.Collections.Concurrent;
using MLNetExplain.Cli.Console;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// The job's progress: stages are added as the job reaches them (a resumed run shows only the work left), and
/// every note is kept for the report's log.
/// </summary>
internal sealed class ReproduceProgress(StageProgress stages)
{
    private readonly ConcurrentQueue<string> _log = new();
    private readonly HashSet<string> _added = [];

    /// <summary>The notes so far, in order.</summary>
    public IReadOnlyList<string> Lines => [.. _log];

    /// <summary>Starts a stage of <paramref name="total"/> units (once per name).</summary>
    public void Begin(string stage, double total)
    {
        if (_added.Add(stage))
        {
            stages.Add(stage, total);
        }
    }

    /// <summary>Sets a stage's progress; <paramref name="note"/>, when given, also goes to the log.</summary>
    public void Step(string stage, double done, double total, string? note = null)
    {
        Begin(stage, total);
        if (note is not null)
        {
            _log.Enqueue(note);
        }

        stages.Set(stage, done, total, note);
    }

    /// <summary>Adds a line to the log only.</summary>
    public void Log(string line) => _log.Enqueue(line);
}
