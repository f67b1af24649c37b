using MLNetExplain.Cli;
using MLNetExplain.Cli.Demo;
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
    public void RootCommandHasBothJobs()
    {
        var root = MLNetExplainCommand.Create(new TestConsole());
        Assert.Equal(["demo", "results"], root.Subcommands.Select(c => c.Name));
        Assert.NotEmpty(root.Parse("explain").Errors);
    }
}
