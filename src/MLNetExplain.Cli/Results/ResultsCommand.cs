using System.CommandLine;
using Spectre.Console;

namespace MLNetExplain.Cli.Results;

/// <summary>The <c>results</c> command: its options (defaults from <see cref="ResultsOptions"/>) and its action.</summary>
internal sealed class ResultsCommand : Command
{
    private static readonly ResultsOptions Defaults = new();
    private readonly Option<int> _epochs = new("--epochs") { Description = "Epochs of standard training.", DefaultValueFactory = _ => Defaults.Epochs };
    private readonly Option<int> _robustEpochs = new("--robust-epochs") { Description = "Epochs of adversarial training.", DefaultValueFactory = _ => Defaults.RobustEpochs };
    private readonly Option<int> _trainRows = new("--train-rows") { Description = "Training images (of 60000).", DefaultValueFactory = _ => Defaults.TrainRows };
    private readonly Option<int> _testRows = new("--test-rows") { Description = "Test images for clean accuracy (of 10000).", DefaultValueFactory = _ => Defaults.TestRows };
    private readonly Option<int> _evalRows = new("--eval-rows") { Description = "Test images attacked with PGD-20.", DefaultValueFactory = _ => Defaults.EvalRows };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of every stochastic stage.", DefaultValueFactory = _ => Defaults.Seed };
    private readonly Option<string> _output = new("--output", "-o") { Description = "Markdown file for the table.", DefaultValueFactory = _ => Defaults.Output };

    /// <summary>Creates the command; its action runs <see cref="ResultsJob"/> writing to <paramref name="console"/>.</summary>
    public ResultsCommand(IAnsiConsole console)
        : base("results", "Reproduce the standard vs adversarially trained accuracy table on Fashion-MNIST (clean and PGD-20 L2 eps 1.5).")
    {
        foreach (var option in new Option[] { _epochs, _robustEpochs, _trainRows, _testRows, _evalRows, _seed, _output })
        {
            Options.Add(option);
        }

        // On a worker thread, so that System.CommandLine's Ctrl+C handling runs while the job does; the job checks the
        // token between steps and returns 130.
        SetAction((parse, token) => Task.Run(() => new ResultsJob(Bind(parse), console).Run(token), CancellationToken.None));
    }

    /// <summary>The job's settings from a parse of this command.</summary>
    public ResultsOptions Bind(ParseResult parse) => new()
    {
        Epochs = parse.GetValue(_epochs), RobustEpochs = parse.GetValue(_robustEpochs), TrainRows = parse.GetValue(_trainRows),
        TestRows = parse.GetValue(_testRows), EvalRows = parse.GetValue(_evalRows), Seed = parse.GetValue(_seed), Output = parse.GetValue(_output)!,
    };
}
