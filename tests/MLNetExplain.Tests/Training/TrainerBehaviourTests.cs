using MLNetExplain.Attacks;
using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Training;

[Collection(FashionMnistCollection.Name)]
public class TrainerBehaviourTests(FashionMnistFixture data)
{
    private static readonly ClassifierSpec Tiny = ClassifierSpec.SmallCnn(10, 1, 4).WithNormalization([0.286f], [0.353f]);

    private (Tensor X, Tensor Y) Train(int n) => (data.TrainImages.narrow(0, 0, n), data.TrainLabels.narrow(0, 0, n));

    private static Dictionary<string, Tensor> Weights(nn.Module model) => model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

    private static bool Same(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b) =>
        a.Keys.All(k => a[k].eq(b[k]).all().item<bool>());

    [Fact]
    public void SameSeedGivesTheSameWeights()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Train(640);
        var options = new AdversarialClassifierTrainer.Options
        {
            Epochs = 1, BatchSize = 64, Seed = 5,
            Attack = new PgdAttackOptions { Epsilon = 0.5, Steps = 1, RandomStart = RandomStart.Ball },
        };
        Dictionary<string, Tensor> Run(long seed)
        {
            using var model = Tiny.Build(new Generator(3));
            new AdversarialClassifierTrainer(options with { Seed = seed }).Train(model, x, y);
            return Weights(model);
        }

        var first = Run(5);
        Assert.True(Same(first, Run(5)), "same seed, same weights");
        Assert.False(Same(first, Run(6)), "another seed shuffles and starts the attack differently");
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.AdamW)]
    public void ResumingFromACheckpointEqualsAnUninterruptedRun(OptimizerKind optimizer)
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var (x, y) = Train(640);
        var checkpoint = dir.File("run.ckpt");
        var options = new ClassifierTrainer.Options
        {
            Epochs = 3, BatchSize = 64, Optimizer = optimizer, LearningRate = optimizer == OptimizerKind.Sgd ? 0.05 : 0.005, Seed = 2,
            CheckpointPath = checkpoint, ResumeFromCheckpoint = true,
        };

        using var straight = Tiny.Build(new Generator(4));
        new ClassifierTrainer(options with { CheckpointPath = null, ResumeFromCheckpoint = false }).Train(straight, x, y);

        using var interrupted = Tiny.Build(new Generator(4));
        using var cancel = new CancellationTokenSource();
        var stopAfterOne = new SyncProgress<TrainingProgress>(r =>
        {
            if (r.Epoch == 1)
            {
                cancel.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => new ClassifierTrainer(options).Train(interrupted, x, y, stopAfterOne, cancel.Token));
        Assert.True(File.Exists(checkpoint));

        using var resumed = Tiny.Build(new Generator(99));
        var reports = new ClassifierTrainer(options).Train(resumed, x, y);
        Assert.Equal([2, 3], reports.Select(r => r.Epoch));
        Assert.Equal(30, reports[^1].Steps);
        Assert.True(Same(Weights(straight), Weights(resumed)), "the resumed run ends with the uninterrupted run's weights");

        // A checkpoint written with other options is refused, naming the file.
        using var other = Tiny.Build();
        var ex = Assert.Throws<InvalidDataException>(() => new ClassifierTrainer(options with { LearningRate = 0.5 }).Train(other, x, y));
        Assert.Contains(checkpoint, ex.Message);
        Assert.Contains("other training options", ex.Message);
    }

    [Fact]
    public void ProgressAndCancellation()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Train(256);
        using var model = Tiny.Build(new Generator(1));
        var reports = new List<TrainingProgress>();
        var returned = new ClassifierTrainer(new() { Epochs = 2, BatchSize = 100, Schedule = ScheduleKind.Step, StepSize = 1, Gamma = 0.5 })
            .Train(model, x, y, new SyncProgress<TrainingProgress>(reports.Add));
        Assert.Equal(reports, returned);
        Assert.Equal([1, 2], reports.Select(r => r.Epoch));
        Assert.Equal([3L, 6L], reports.Select(r => r.Steps));
        Assert.Equal([0.1, 0.05], reports.Select(r => r.LearningRate));
        Assert.All(reports, r => Assert.True(r.Loss > 0 && r.ImagesPerSecond > 0 && r.Accuracy is >= 0 and <= 1));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new ClassifierTrainer().Train(model, x, y, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void BadInputAndOptionsAreRefusedBeforeTraining()
    {
        using var scope = NewDisposeScope();
        var (x, y) = Train(8);
        using var model = Tiny.Build();
        var trainer = new ClassifierTrainer();
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentException>(() => trainer.Train(model, x * 255, y)).Message);
        Assert.Contains("int64 labels [8]", Assert.Throws<ArgumentException>(() => trainer.Train(model, x, y.to_type(ScalarType.Int32))).Message);
        Assert.Contains("[N, C, H, W]", Assert.Throws<ArgumentException>(() => trainer.Train(model, x.view(8, 784), y)).Message);
        Assert.Contains("[0, 9]", Assert.Throws<ArgumentException>(() => trainer.Train(model, x, y + 10)).Message);
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() => new ClassifierTrainer(new() { BatchSize = 0 })).Message);
        Assert.Contains("CheckpointPath", Assert.Throws<ArgumentException>(() => new ClassifierTrainer(new() { ResumeFromCheckpoint = true })).Message);
        Assert.Contains("Steps", Assert.Throws<ArgumentException>(() => new AdversarialClassifierTrainer(new() { Attack = new() { Steps = 0 } })).Message);
    }

    [Fact]
    public void LearningRateSchedules()
    {
        var o = new ClassifierTrainer.Options { Epochs = 10, LearningRate = 0.1 };
        Assert.Equal(0.1, LearningRates.ForEpoch(o, 0), 12);
        Assert.Equal(0.05, LearningRates.ForEpoch(o, 5), 12);
        Assert.Equal(0.1 * (1 + Math.Cos(Math.PI * 9 / 10)) / 2, LearningRates.ForEpoch(o, 9), 12);
        var warm = o with { WarmupEpochs = 3, Schedule = ScheduleKind.Constant };
        Assert.Equal([0.025, 0.05, 0.075, 0.1, 0.1], Enumerable.Range(0, 5).Select(e => Math.Round(LearningRates.ForEpoch(warm, e), 12)));
        var multi = o with { Schedule = ScheduleKind.MultiStep, Milestones = [2, 4], Gamma = 0.1 };
        Assert.Equal([0.1, 0.1, 0.01, 0.01, 0.001], Enumerable.Range(0, 5).Select(e => Math.Round(LearningRates.ForEpoch(multi, e), 12)));
    }
}
