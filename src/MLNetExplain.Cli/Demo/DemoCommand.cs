using System.CommandLine;
using Spectre.Console;

namespace MLNetExplain.Cli.Demo;

/// <summary>The <c>demo</c> command: its options (defaults from <see cref="DemoOptions"/>) and its action.</summary>
internal sealed class DemoCommand : Command
{
    private static readonly DemoOptions Defaults = new();
    private readonly Option<string> _output = new("--output", "-o") { Description = "Folder for explanations.png, pipeline.zip and report.html.", DefaultValueFactory = _ => Defaults.Output };
    private readonly Option<int> _trainRows = new("--train-rows") { Description = "Fashion-MNIST training images to use (of 60000).", DefaultValueFactory = _ => Defaults.TrainRows };
    private readonly Option<int> _testRows = new("--test-rows") { Description = "Test images for accuracy, curves and the grid (of 10000).", DefaultValueFactory = _ => Defaults.TestRows };
    private readonly Option<int> _robustEpochs = new("--robust-epochs") { Description = "Epochs of PGD adversarial training of the robust counterpart.", DefaultValueFactory = _ => Defaults.RobustEpochs };
    private readonly Option<double> _epsilon = new("--epsilon") { Description = "L2 radius of the training and evaluation attacks, pixels in [0, 1].", DefaultValueFactory = _ => Defaults.Epsilon };
    private readonly Option<int> _attackSteps = new("--attack-steps") { Description = "PGD steps per training batch.", DefaultValueFactory = _ => Defaults.AttackSteps };
    private readonly Option<int> _samples = new("--samples") { Description = "SmoothGrad samples per robust attribution.", DefaultValueFactory = _ => Defaults.Samples };
    private readonly Option<int> _epochs = new("--epochs") { Description = "Epochs of classifier + explainer training.", DefaultValueFactory = _ => Defaults.Epochs };
    private readonly Option<double> _lambda = new("--lambda") { Description = "Weight of the alignment loss.", DefaultValueFactory = _ => Defaults.Lambda };
    private readonly Option<DemoModel> _model = new("--model") { Description = "Architecture of f and f'.", DefaultValueFactory = _ => Defaults.Model };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of every stochastic stage.", DefaultValueFactory = _ => Defaults.Seed };

    /// <summary>Creates the command; its action runs <see cref="DemoJob"/> writing to <paramref name="console"/>.</summary>
    public DemoCommand(IAnsiConsole console)
        : base("demo", "Train a robust counterpart, robust attributions and a self-explaining classifier on Fashion-MNIST; write a grid, the pipeline and a report.")
    {
        foreach (var option in new Option[] { _output, _trainRows, _testRows, _robustEpochs, _epsilon, _attackSteps, _samples, _epochs, _lambda, _model, _seed })
        {
            Options.Add(option);
        }

        // On a worker thread, so that System.CommandLine's Ctrl+C handling runs while the job does; the job checks the
        // token between steps and returns 130.
        SetAction((parse, token) => Task.Run(() => new DemoJob(Bind(parse), console).Run(token), CancellationToken.None));
    }

    /// <summary>The job's settings from a parse of this command.</summary>
    public DemoOptions Bind(ParseResult parse) => new()
    {
        Output = parse.GetValue(_output)!, TrainRows = parse.GetValue(_trainRows), TestRows = parse.GetValue(_testRows),
        RobustEpochs = parse.GetValue(_robustEpochs), Epsilon = parse.GetValue(_epsilon), AttackSteps = parse.GetValue(_attackSteps),
        Samples = parse.GetValue(_samples), Epochs = parse.GetValue(_epochs), Lambda = parse.GetValue(_lambda), Model = parse.GetValue(_model),
        Seed = parse.GetValue(_seed),
    };
}
