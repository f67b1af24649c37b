using Spectre.Console;

namespace MLNetExplain.Cli.Console;

/// <summary>
/// Progress of a job's stages: live bars on an interactive terminal; elsewhere (CI logs, pipes) one plain line
/// each time a stage's shown value changes, never a repaint per tick.
/// </summary>
internal sealed class StageProgress
{
    private readonly IAnsiConsole _console;
    private readonly ProgressContext? _bars;
    private readonly Dictionary<string, ProgressTask> _tasks = [];
    private readonly Dictionary<string, int> _lastPercent = [];
    private readonly Lock _gate = new();

    private StageProgress(IAnsiConsole console, ProgressContext? bars)
    {
        _console = console;
        _bars = bars;
    }

    /// <summary>Runs <paramref name="body"/> with a progress display fitted to the console.</summary>
    public static void Run(IAnsiConsole console, Action<StageProgress> body)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(context => body(new StageProgress(console, context)));
        }
        else
        {
            body(new StageProgress(console, null));
        }
    }

    /// <summary>Adds a stage with <paramref name="total"/> units of work.</summary>
    public void Add(string stage, double total)
    {
        lock (_gate)
        {
            if (_bars is not null)
            {
                _tasks[stage] = _bars.AddTask(stage, maxValue: total);
            }
        }
    }

    /// <summary>Sets a stage's done units (of its total) and an optional note such as the last loss.</summary>
    public void Set(string stage, double done, double total, string? note = null)
    {
        lock (_gate)
        {
            if (_bars is not null)
            {
                var task = _tasks[stage];
                task.MaxValue = total;
                task.Value = done;
                return;
            }

            // Whole percent steps: a 10-epoch stage prints at most 10 lines, a 20000-row stage at most 100.
            int percent = total <= 0 ? 100 : (int)Math.Floor(100 * done / total);
            if (_lastPercent.TryGetValue(stage, out var last) && last == percent)
            {
                return;
            }

            _lastPercent[stage] = percent;
            _console.WriteLine($"{stage}: {percent}%" + (note is null ? "" : $" ({note})"));
        }
    }
}
