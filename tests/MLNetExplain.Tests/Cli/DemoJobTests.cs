using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Cli.Demo;
using MLNetExplain.Cli.Reporting;
using MLNetExplain.ML.Imaging;
using MLNetExplain.ML.Persistence;
using Spectre.Console.Testing;

namespace MLNetExplain.Tests.Cli;

/// <summary>The demo job end to end with tiny settings (about 30 s on 2 cores): its three files and what they hold.</summary>
public sealed class DemoJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnetexplain-demo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TinyDemoWritesGridPipelineAndReport()
    {
        var console = new TestConsole();
        var options = new DemoOptions
        {
            Output = _dir, TrainRows = 600, TestRows = 200, RobustEpochs = 1, AttackSteps = 2, Samples = 4, Epochs = 1, GridImages = 3,
            AttackedRows = 50, DeletionRows = 100, LatencyRounds = 3,
        };
        float[][]? inMemory = null, reloaded = null;
        int exitCode = new DemoJob(options, console).Run(CancellationToken.None, models =>
        {
            var rows = models.MLContext.Data.TakeRows(models.Test, 5);
            inMemory = [.. models.Explained.Transform(rows).GetColumn<float[]>("Explanation")];
            using var pipeline = models.MLContext.Model.LoadWithExplainers(Path.Combine(_dir, "pipeline.zip"), out var schema);
            Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), schema["Features"].Type);
            reloaded = [.. pipeline.Transform(rows).GetColumn<float[]>("Explanation")];
        });
        Assert.Equal(0, exitCode);

        // The saved pipeline gives the in-memory model's maps: [1, 28, 28] per row, finite and not all equal.
        Assert.Equal(5, inMemory!.Length);
        Assert.All(inMemory, m => Assert.Equal(28 * 28, m.Length));
        Assert.All(inMemory, m => Assert.All(m, v => Assert.True(float.IsFinite(v))));
        Assert.True(inMemory[0].Max() > inMemory[0].Min(), "the explainer's map is constant");
        Assert.Equal(inMemory, reloaded);

        // The grid: 3 rows of 4 magnified 28x28 cells under one line of column labels, row labels on the left.
        using var png = PngFile.Load(Path.Combine(_dir, "explanations.png"));
        var layout = new ImageGrid(3, 4, 28, 28, ExplanationGrid.Scale);
        layout.SetColumnLabel(0, "Input");
        Assert.Equal(layout.Height, png.Height);
        Assert.InRange(png.Width, layout.Width + 40, layout.Width + 600);

        var html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.EndsWith("</html>", html);
        var accuracy = Regex.Matches(Section(html, "Accuracy"), @"<td>(\d+\.\d)%</td>").Select(m => double.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(3, accuracy.Count);
        Assert.All(accuracy, a => Assert.InRange(a, 0, 100));
        var latency = Section(html, "Latency per image");
        foreach (var row in new[] { "Explainer (prediction + map)</td><td>1</td>", "Saliency</td><td>1</td>", "Explainer (prediction + map)</td><td>64</td>", "Saliency</td><td>64</td>", "SmoothGrad-50" })
        {
            Assert.Contains(row, latency);
        }

        Assert.Contains("1.00x", latency);
        Assert.Equal(4, Regex.Matches(Section(html, "Deletion curves"), @"<td>0\.\d{4}</td>").Count);
        // The deletion chart and the grid travel inside the report.
        Assert.Equal(2, Regex.Matches(html, "src=\"data:image/png;base64,[A-Za-z0-9+/=]{100,}\"").Count);
        Assert.Contains("f + E epoch 1/1", html);

        Assert.Contains("Deletion AUC, Explainer", console.Output);
        Assert.Contains("Train f + explainer: 100%", console.Output);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void CancelledDemoStopsWithExitCode130()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var console = new TestConsole();
        int exitCode = new DemoJob(new DemoOptions { Output = _dir, TrainRows = 600, TestRows = 200, RobustEpochs = 1, Epochs = 1 }, console)
            .Run(cancelled.Token);
        Assert.Equal(130, exitCode);
        Assert.Contains("Cancelled.", console.Output);
        Assert.False(File.Exists(Path.Combine(_dir, "report.html")));
    }

    private static string Section(string html, string heading)
    {
        int start = html.IndexOf($"<h2>{heading}</h2>", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{heading}'");
        int end = html.IndexOf("<h2>", start + 4, StringComparison.Ordinal);
        return html[start..(end < 0 ? html.Length : end)];
    }
}
