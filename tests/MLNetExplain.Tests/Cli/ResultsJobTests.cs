using System.Text.RegularExpressions;
using MLNetExplain.Cli.Results;
using Spectre.Console.Testing;

namespace MLNetExplain.Tests.Cli;

/// <summary>The results job with tiny settings: both models trained, measured, printed and written as markdown.</summary>
public sealed class ResultsJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnetexplain-results-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TinyResultsWriteTheMarkdownTable()
    {
        var console = new TestConsole();
        string output = Path.Combine(_dir, "results.md");
        var options = new ResultsOptions { Epochs = 1, RobustEpochs = 1, TrainRows = 1000, TestRows = 200, EvalRows = 40, Output = output };
        Assert.Equal(0, new ResultsJob(options, console).Run(CancellationToken.None));

        var markdown = File.ReadAllText(output);
        Assert.Contains("| Model | Clean accuracy (200) | PGD-20 L2 eps 1.5 (40) | Training time |", markdown);
        var rows = Regex.Matches(markdown, @"^\| (Standard|Adversarial)[^|]* \| (\d+\.\d\d)% \| (\d+\.\d\d)% \| \d+\.\d min \|$", RegexOptions.Multiline);
        Assert.Equal(2, rows.Count);
        foreach (Match row in rows)
        {
            double clean = double.Parse(row.Groups[2].Value), robust = double.Parse(row.Groups[3].Value);
            Assert.InRange(clean, 0, 100);
            Assert.InRange(robust, 0, 100);
        }

        // One epoch on 1000 images (8 steps) already beats chance (10%) for the standard model.
        Assert.True(double.Parse(rows[0].Groups[2].Value) > 20, markdown);
        Assert.Contains("Standard (SGD, cosine)", console.Output);
        Assert.Contains("Adversarial (PGD-7 L2 eps 1.5): 100%", console.Output);
    }
}
