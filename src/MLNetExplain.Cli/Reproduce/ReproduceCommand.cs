using System.CommandLine;
using Spectre.Console;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>The <c>reproduce</c> command: its options (defaults from <see cref="ReproduceOptions"/>) and its action.</summary>
internal sealed class ReproduceCommand : Command
{
    private static readonly ReproduceOptions Defaults = new();
    private readonly Option<string> _output = new("--output", "-o") { Description = "Folder for report.html, report.md and the checkpoints a rerun resumes from.", DefaultValueFactory = _ => Defaults.Output };
    private readonly Option<bool> _quick = new("--quick") { Description = "A CI-sized run (minutes): small subsets, one epoch, one seed, ratios 20 and 60%. Other options but --methods, --roar-fill and --seed are ignored." };
    private readonly Option<int> _trainRows = new("--train-rows") { Description = "Fashion-MNIST training images (of 60000).", DefaultValueFactory = _ => Defaults.TrainRows };
    private readonly Option<int> _testRows = new("--test-rows") { Description = "Test images (of 10000).", DefaultValueFactory = _ => Defaults.TestRows };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Epochs of classifier + explainer training.", DefaultValueFactory = _ => Defaults.Epochs };
    private readonly Option<int> _roarEpochs = new("--roar-epochs") { Description = "Epochs of each ROAR retraining.", DefaultValueFactory = _ => Defaults.RoarEpochs };
    private readonly Option<int> _roarSeeds = new("--roar-seeds") { Description = "Retrainings per method and ratio.", DefaultValueFactory = _ => Defaults.RoarSeeds };
    private readonly Option<int[]> _ratios = new("--ratios") { Description = "Percent of pixels removed.", DefaultValueFactory = _ => [.. Defaults.Ratios], AllowMultipleArgumentsPerToken = true };
    private readonly Option<string[]> _methods = new("--methods") { Description = "Methods to compare (default: every method but AttEXplore, Learned propagation and the block-pooled diagnostics, which run when named).", AllowMultipleArgumentsPerToken = true };
    private readonly Option<ReproduceFill> _roarFill = new("--roar-fill") { Description = "ROAR's replacement value: Mean (the training mean, Hooker et al.) or Zero (Fashion-MNIST's black background).", DefaultValueFactory = _ => Defaults.RoarFill };
    private readonly Option<double> _lambda = new("--lambda") { Description = "Weight of the alignment loss.", DefaultValueFactory = _ => Defaults.Lambda };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of every stochastic stage.", DefaultValueFactory = _ => Defaults.Seed };

    /// <summary>Creates the command; its action runs <see cref="ReproduceJob"/> writing to <paramref name="console"/>.</summary>
    public ReproduceCommand(IAnsiConsole console)
        : base("reproduce", "Run seed 001's experiments on Fashion-MNIST (ROAR, alignment targets, latency, deletion/insertion, MPRT) and write an HTML report; resumable.")
    {
        foreach (var option in new Option[] { _output, _quick, _trainRows, _testRows, _epochs, _roarEpochs, _roarSeeds, _ratios, _roarFill, _methods, _lambda, _seed })
        {
            Options.Add(option);
        }

        // On a worker thread, so that System.CommandLine's Ctrl+C handling runs while the job does.
        SetAction((parse, token) => Task.Run(() => new ReproduceJob(Bind(parse), console).Run(token), CancellationToken.None));
    }

    /// <summary>The job's settings from a parse of this command.</summary>
    public ReproduceOptions Bind(ParseResult parse)
    {
        var output = parse.GetValue(_output)!;
        if (parse.GetValue(_quick))
        {
            return ReproduceOptions.Quick(output) with { Seed = parse.GetValue(_seed), Methods = Methods(parse), RoarFill = parse.GetValue(_roarFill) };
        }

        return new ReproduceOptions
        {
            Output = output, TrainRows = parse.GetValue(_trainRows), TestRows = parse.GetValue(_testRows), Epochs = parse.GetValue(_epochs),
            RoarEpochs = parse.GetValue(_roarEpochs), RoarSeeds = parse.GetValue(_roarSeeds), Ratios = parse.GetValue(_ratios)!,
            RoarFill = parse.GetValue(_roarFill), Methods = Methods(parse), Lambda = parse.GetValue(_lambda), Seed = parse.GetValue(_seed),
        };
    }

    private string[]? Methods(ParseResult parse) => parse.GetValue(_methods) is { Length: > 0 } m ? m : null;
}
