using MLNetExplain.Cli.Console;
using Spectre.Console.Testing;

namespace MLNetExplain.Tests.Cli;

/// <summary>Progress on a non-interactive console (CI logs, pipes): one plain line per whole-percent change.</summary>
public sealed class StageProgressTests
{
    [Fact]
    public void NonInteractiveConsolePrintsOneLinePerPercentChange()
    {
        var console = new TestConsole();
        StageProgress.Run(console, progress =>
        {
            progress.Add("Robust attributions", 1000);
            for (int rows = 0; rows <= 1000; rows++)
            {
                progress.Set("Robust attributions", rows, 1000);
            }

            // Repeating a value prints nothing.
            progress.Set("Robust attributions", 1000, 1000);
        });
        var lines = console.Lines.Where(l => l.Length > 0).ToList();
        Assert.Equal(Enumerable.Range(0, 101).Select(p => $"Robust attributions: {p}%"), lines);
    }

    [Fact]
    public void StagesAreCountedApartAndNotesFollowThePercent()
    {
        var console = new TestConsole();
        StageProgress.Run(console, progress =>
        {
            progress.Add("Train f'", 2);
            progress.Add("Train f", 3);
            progress.Set("Train f'", 1, 2, "loss 1.2");
            progress.Set("Train f", 1, 3);
            progress.Set("Train f'", 1, 2, "loss 1.1");
            progress.Set("Train f'", 2, 2, "loss 0.9");
        });
        Assert.Equal(["Train f': 50% (loss 1.2)", "Train f: 33%", "Train f': 100% (loss 0.9)"], console.Lines.Where(l => l.Length > 0));
    }
}
