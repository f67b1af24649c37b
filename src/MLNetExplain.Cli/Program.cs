using System.CommandLine;
using MLNetExplain.Cli.Demo;
using MLNetExplain.Cli.Results;
using Spectre.Console;

var root = new RootCommand("MLNetExplain: image classifiers that explain themselves, in .NET pipelines.");
root.Subcommands.Add(DemoCommand());
root.Subcommands.Add(ResultsCommand());
return root.Parse(args).Invoke();

static Command DemoCommand()
{
    var defaults = new DemoOptions();
    var output = new Option<string>("--output", "-o") { Description = "Folder for explanations.png, pipeline.zip and report.html.", DefaultValueFactory = _ => defaults.Output };
    var trainRows = new Option<int>("--train-rows") { Description = "Fashion-MNIST training images to use (of 60000).", DefaultValueFactory = _ => defaults.TrainRows };
    var testRows = new Option<int>("--test-rows") { Description = "Test images for accuracy, curves and the grid (of 10000).", DefaultValueFactory = _ => defaults.TestRows };
    var robustEpochs = new Option<int>("--robust-epochs") { Description = "Epochs of PGD adversarial training of the robust counterpart.", DefaultValueFactory = _ => defaults.RobustEpochs };
    var epsilon = new Option<double>("--epsilon") { Description = "L2 radius of the training attack, pixels in [0, 1].", DefaultValueFactory = _ => defaults.Epsilon };
    var steps = new Option<int>("--attack-steps") { Description = "PGD steps per training batch.", DefaultValueFactory = _ => defaults.AttackSteps };
    var samples = new Option<int>("--samples") { Description = "SmoothGrad samples per robust attribution.", DefaultValueFactory = _ => defaults.Samples };
    var epochs = new Option<int>("--epochs") { Description = "Epochs of classifier + explainer training.", DefaultValueFactory = _ => defaults.Epochs };
    var lambda = new Option<double>("--lambda") { Description = "Weight of the alignment loss.", DefaultValueFactory = _ => defaults.Lambda };
    var model = new Option<DemoModel>("--model") { Description = "Architecture of f and f'.", DefaultValueFactory = _ => defaults.Model };
    var seed = new Option<int>("--seed") { Description = "Seed of every stochastic stage.", DefaultValueFactory = _ => defaults.Seed };
    var command = new Command("demo", "Train a robust counterpart, robust attributions and a self-explaining classifier on Fashion-MNIST; write a grid, the pipeline and a report.")
    {
        output, trainRows, testRows, robustEpochs, epsilon, steps, samples, epochs, lambda, model, seed,
    };
    command.SetAction((parse, token) => Task.FromResult(new DemoJob(new DemoOptions
    {
        Output = parse.GetValue(output)!, TrainRows = parse.GetValue(trainRows), TestRows = parse.GetValue(testRows),
        RobustEpochs = parse.GetValue(robustEpochs), Epsilon = parse.GetValue(epsilon), AttackSteps = parse.GetValue(steps),
        Samples = parse.GetValue(samples), Epochs = parse.GetValue(epochs), Lambda = parse.GetValue(lambda), Model = parse.GetValue(model),
        Seed = parse.GetValue(seed),
    }, AnsiConsole.Console).Run(token)));
    return command;
}

static Command ResultsCommand()
{
    var defaults = new ResultsOptions();
    var epochs = new Option<int>("--epochs") { Description = "Epochs of standard training.", DefaultValueFactory = _ => defaults.Epochs };
    var robustEpochs = new Option<int>("--robust-epochs") { Description = "Epochs of adversarial training.", DefaultValueFactory = _ => defaults.RobustEpochs };
    var trainRows = new Option<int>("--train-rows") { Description = "Training images (of 60000).", DefaultValueFactory = _ => defaults.TrainRows };
    var evalRows = new Option<int>("--eval-rows") { Description = "Test images attacked with PGD-20 (of 10000).", DefaultValueFactory = _ => defaults.EvalRows };
    var seed = new Option<int>("--seed") { Description = "Seed of every stochastic stage.", DefaultValueFactory = _ => defaults.Seed };
    var command = new Command("results", "Reproduce the standard vs adversarially trained accuracy table on full Fashion-MNIST (clean and PGD-20 L2 eps 1.5).")
    {
        epochs, robustEpochs, trainRows, evalRows, seed,
    };
    command.SetAction((parse, token) => Task.FromResult(new ResultsJob(new ResultsOptions
    {
        Epochs = parse.GetValue(epochs), RobustEpochs = parse.GetValue(robustEpochs), TrainRows = parse.GetValue(trainRows),
        EvalRows = parse.GetValue(evalRows), Seed = parse.GetValue(seed),
    }, AnsiConsole.Console).Run(token)));
    return command;
}
