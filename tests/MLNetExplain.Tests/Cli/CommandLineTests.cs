using MLNetExplain.Cli;
using MLNetExplain.Cli.Demo;
using MLNetExplain.Cli.Reproduce;
using MLNetExplain.Cli.Results;
using Spectre.Console.Testing;

namespace MLNetExplain.Tests.Cli;

/// <summary>Parsing of the <c>demo</c> and <c>results</c> commands into their jobs' settings.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void DemoDefaultsAreTheJobsDefaults()
    {
        var demo = new DemoCommand(new TestConsole());
        var parse = demo.Parse("");
        Assert.Empty(parse.Errors);
        Assert.Equal(new DemoOptions(), demo.Bind(parse));
    }

    [Fact]
    public void DemoOptionsAreBound()
    {
        var demo = new DemoCommand(new TestConsole());
        var parse = demo.Parse("-o out --train-rows 600 --test-rows 200 --robust-epochs 2 --epsilon 0.5 --attack-steps 3 --samples 4 --epochs 1 --lambda 0.7 --model CompactResNet --seed 9");
        Assert.Empty(parse.Errors);
        Assert.Equal(new DemoOptions
        {
            Output = "out", TrainRows = 600, TestRows = 200, RobustEpochs = 2, Epsilon = 0.5, AttackSteps = 3, Samples = 4, Epochs = 1,
            Lambda = 0.7, Model = DemoModel.CompactResNet, Seed = 9,
        }, demo.Bind(parse));
    }

    [Theory]
    [InlineData("--train-rows many")]
    [InlineData("--model Transformer")]
    [InlineData("--no-such-option 1")]
    public void BadDemoArgumentsAreErrors(string args) =>
        Assert.NotEmpty(new DemoCommand(new TestConsole()).Parse(args).Errors);

    [Fact]
    public void OutOfRangeSettingsAreRefusedByName()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DemoOptions { TrainRows = 0 }.Validate());
        Assert.Contains("TrainRows", ex.Message);
        Assert.Throws<ArgumentException>(() => new DemoOptions { Epsilon = double.NaN }.Validate());
        Assert.Contains("EvalRows", Assert.Throws<ArgumentException>(() => new ResultsOptions { EvalRows = -1 }.Validate()).Message);
    }

    [Fact]
    public void JobsRefuseOutOfRangeSettingsWithExitCode2()
    {
        var console = new TestConsole();
        Assert.Equal(2, new DemoJob(new DemoOptions { Samples = 0 }, console).Run(CancellationToken.None));
        Assert.Contains("Samples must be at least 1; got 0.", console.Output);
        Assert.Equal(2, new ResultsJob(new ResultsOptions { Epochs = 0 }, console).Run(CancellationToken.None));
        Assert.Contains("Epochs must be at least 1; got 0.", console.Output);
    }

    [Fact]
    public void ResultsOptionsAreBound()
    {
        var results = new ResultsCommand(new TestConsole());
        Assert.Equal(new ResultsOptions(), results.Bind(results.Parse("")));
        var parse = results.Parse("--epochs 2 --robust-epochs 1 --train-rows 1000 --test-rows 300 --eval-rows 100 --seed 4 -o table.md");
        Assert.Empty(parse.Errors);
        Assert.Equal(new ResultsOptions { Epochs = 2, RobustEpochs = 1, TrainRows = 1000, TestRows = 300, EvalRows = 100, Seed = 4, Output = "table.md" },
            results.Bind(parse));
    }

    [Fact]
    public void ReproduceOptionsAreBound()
    {
        var reproduce = new ReproduceCommand(new TestConsole());
        var defaults = new ReproduceOptions();
        Assert.Equal(defaults, reproduce.Bind(reproduce.Parse("")) with { Ratios = defaults.Ratios });
        Assert.Equal([20, 40, 60, 80], reproduce.Bind(reproduce.Parse("")).Ratios);
        var parse = reproduce.Parse("--train-rows 3000 --test-rows 500 --epochs 3 --roar-epochs 2 --roar-seeds 3 --ratios 10 50 --roar-fill Zero --methods Saliency Explainer --lambda 0.5 --seed 4 -o out");
        Assert.Empty(parse.Errors);
        var bound = reproduce.Bind(parse);
        Assert.Equal((3000, 500, 3, 2, 3, 0.5, 4, "out"), (bound.TrainRows, bound.TestRows, bound.Epochs, bound.RoarEpochs, bound.RoarSeeds, bound.Lambda, bound.Seed, bound.Output));
        Assert.Equal([10, 50], bound.Ratios);
        Assert.Equal(["Saliency", "Explainer"], bound.Methods!);
        Assert.Equal(ReproduceFill.Zero, bound.RoarFill);
        Assert.Equal(ReproduceFill.Mean, defaults.RoarFill);

        var quick = reproduce.Bind(reproduce.Parse("--quick -o q"));
        Assert.Equal(ReproduceOptions.Quick("q") with { Ratios = quick.Ratios }, quick);
        Assert.Throws<ArgumentException>(() => (new ReproduceOptions { Methods = ["Saliency", "NoSuchMethod"] }).Validate());
        Assert.Throws<ArgumentException>(() => (new ReproduceOptions { Ratios = [0, 50] }).Validate());
    }

    [Fact]
    public void RootCommandHasItsJobs()
    {
        var root = MLNetExplainCommand.Create(new TestConsole());
        Assert.Equal(["demo", "results", "reproduce"], root.Subcommands.Select(c => c.Name));
        Assert.NotEmpty(root.Parse("explain").Errors);
    }
}
