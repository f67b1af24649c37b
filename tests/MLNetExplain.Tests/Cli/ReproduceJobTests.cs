using System.Text.RegularExpressions;
using MLNetExplain.Cli.Reproduce;
using Spectre.Console.Testing;

namespace MLNetExplain.Tests.Cli;

/// <summary>
/// The reproduce job in its CI-sized mode on a subset of methods: the report's structure, and a rerun that resumes
/// from the checkpoints, maps and ROAR cells instead of training again.
/// </summary>
public sealed class ReproduceJobTests : IDisposable
{
    private static readonly string[] Methods = ["Random", "Saliency", "Integrated Gradients", "Explainer", "Explainer (standard targets)"];
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnetexplain-reproduce-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void QuickRunWritesEveryTableAndARerunResumes()
    {
        var options = ReproduceOptions.Quick(_dir) with { Methods = Methods };
        var console = new TestConsole();
        Assert.Equal(0, new ReproduceJob(options, console).Run(CancellationToken.None));

        var markdown = File.ReadAllText(Path.Combine(_dir, "report.md"));
        foreach (var heading in new[] { "## Accuracy", "## Table 1: ROAR", "## Table 2:", "## Table 3: latency", "## Deletion", "## MPRT" })
        {
            Assert.Contains(heading, markdown);
        }

        // Table 1: one row per method with a mean ± sd cell per ratio (20 and 60%).
        foreach (var method in Methods)
        {
            var row = new Regex($@"^\| {Regex.Escape(method)} \| (\d+\.\d\d)% ± \d+\.\d\d \| (\d+\.\d\d)% ± \d+\.\d\d \|$", RegexOptions.Multiline);
            Assert.Matches(row, markdown);
        }

        // Table 2 names both alignment targets; Table 3 times every method with a map against the explainer.
        Assert.Contains("| robust SmoothGrad (seed 001) |", markdown);
        Assert.Contains("| standard SmoothGrad |", markdown);
        Assert.Matches(new Regex(@"^\| Explainer \| \d+\.\d{3} \| 1\.0x \|$", RegexOptions.Multiline), markdown);
        Assert.Matches(new Regex(@"^\| Integrated Gradients \| \d+\.\d{3} \| \d+\.\dx \|$", RegexOptions.Multiline), markdown);

        var html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        // Charts of ROAR, deletion and insertion, and MPRT's chart and map grid.
        Assert.Equal(5, Regex.Matches(html, "<img alt=\"[^\"]+\" src=\"data:image/png;base64,iVBOR").Count);
        Assert.DoesNotContain("NaN", markdown);

        // A rerun with the same settings loads the models and restores every ROAR cell.
        var again = new TestConsole();
        again.Profile.Width = 1000;   // one line per note, so each restored cell is counted once
        Assert.Equal(0, new ReproduceJob(options, again).Run(CancellationToken.None));
        Assert.DoesNotContain("epoch 1/1", again.Output);
        Assert.Equal(1 + Methods.Length * 2, Regex.Matches(again.Output, "from roar-cells.json").Count);

        // The zero fill with one method fewer reuses the models and maps and keeps its cells in their own file.
        var zero = new TestConsole();
        zero.Profile.Width = 1000;
        var zeroOptions = options with { RoarFill = ReproduceFill.Zero, Methods = Methods[..^1] };
        Assert.Equal(0, new ReproduceJob(zeroOptions, zero).Run(CancellationToken.None));
        Assert.DoesNotContain("epoch 1/1", zero.Output);
        Assert.DoesNotContain("from roar-cells", zero.Output);
        Assert.True(File.Exists(Path.Combine(_dir, "roar-cells-zero.json")));
        var zeroMarkdown = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("removed pixels set to 0 (the background)", zeroMarkdown);
        Assert.DoesNotContain("| Explainer (standard targets) | ", zeroMarkdown.Split("## Table 2")[0]);

        // Without the explainer, latencies have nothing to be relative to.
        var noExplainer = new TestConsole();
        Assert.Equal(0, new ReproduceJob(options with { Methods = ["Random", "Saliency"] }, noExplainer).Run(CancellationToken.None));
        var noExplainerMarkdown = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Matches(new Regex(@"^\| Saliency \| \d+\.\d{3} \| n/a \(no explainer row\) \|$", RegexOptions.Multiline), noExplainerMarkdown);
        Assert.DoesNotContain("NaN", noExplainerMarkdown);

        // Other settings in the same folder are refused rather than mixed in.
        Assert.Equal(2, new ReproduceJob(options with { Epochs = 2 }, new TestConsole()).Run(CancellationToken.None));
    }

    [Fact]
    public void TheDefaultGridLeavesOutTheOptInMethodsThatMethodsCanName()
    {
        var grid = ReproduceMethods.Select(null).Select(m => m.Name).ToList();
        Assert.Equal(ReproduceMethods.All.Count - 4, grid.Count);
        Assert.DoesNotContain("AttEXplore", grid);
        Assert.DoesNotContain("Learned propagation", grid);
        Assert.Equal(["Random", "AttEXplore", "Learned propagation"],
            ReproduceMethods.Select(["learned propagation", "AttEXplore", "Random"]).Select(m => m.Name));
    }
}
