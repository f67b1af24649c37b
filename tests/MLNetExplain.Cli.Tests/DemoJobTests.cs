using MLNetExplain.Cli.Demo;
using MLNetExplain.Data;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Imaging;
using Spectre.Console.Testing;

namespace MLNetExplain.Cli.Tests;

public sealed class DemoJobTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlx-demo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TinyDemoWritesGridPipelineAndReport()
    {
        var console = new TestConsole();
        var options = new DemoOptions
        {
            Output = _dir, TrainRows = 600, TestRows = 120, RobustEpochs = 1, AttackSteps = 2, Samples = 4, Epochs = 1, GridImages = 3,
        };
        Assert.Equal(0, new DemoJob(options, console).Run(CancellationToken.None));

        var grid = ImageCodec.Decode(Path.Combine(_dir, "explanations.png"));
        Assert.True(grid.Width > 4 * 28 * 4 && grid.Height > 3 * 28 * 4, $"grid is {grid.Width}x{grid.Height}");

        var html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        foreach (var section in new[] { "Accuracy", "Latency per image", "Deletion curves", "<svg", "explanations.png", "Explainer (prediction + map)" })
        {
            Assert.Contains(section, html);
        }

        var context = new ExplainContext(seed: 1);
        var loaded = context.Model.Load(Path.Combine(_dir, "pipeline.zip"), out var schema);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Byte, 1, 28, 28), schema["Image"].Type);
        var scored = loaded.Transform(context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Test), 5));
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), scored.Schema["Attribution"].Type);
        Assert.Contains("Deletion AUC", console.Output);
        (loaded as IDisposable)?.Dispose();
    }
}
