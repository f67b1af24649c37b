using MLNetExplain.Datasets;
using MLNetExplain.Models;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Training;

/// <summary>Shares one <see cref="FashionMnistFixture"/> across the training and attack test classes (they then run one at a time).</summary>
[CollectionDefinition(Name)]
public sealed class FashionMnistCollection : ICollectionFixture<FashionMnistFixture>
{
    public const string Name = "Fashion-MNIST training";
}

/// <summary>
/// CI-sized Fashion-MNIST: the first 6000 training images, 1000 held-out test images, and a small normalised CNN
/// trained on them once with the standard trainer (about 0.8 test accuracy).
/// </summary>
public sealed class FashionMnistFixture : IDisposable
{
    public static readonly ClassifierSpec Spec = ClassifierSpec.SmallCnn(10, 1, 8).WithNormalization([0.286f], [0.353f]);

    public FashionMnistFixture()
    {
        (TrainImages, TrainLabels) = FashionMnist.Load(DatasetSplit.Train).ToTensors(0, 6000);
        (TestImages, TestLabels) = FashionMnist.Load(DatasetSplit.Test).ToTensors(0, 1000);
        TrainImages = TrainImages.DetachFromDisposeScope();
        TrainLabels = TrainLabels.DetachFromDisposeScope();
        TestImages = TestImages.DetachFromDisposeScope();
        TestLabels = TestLabels.DetachFromDisposeScope();
        Model = Spec.Build(new Generator(1));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Reports = new ClassifierTrainer(StandardOptions).Train(Model, TrainImages, TrainLabels);
        TrainingSeconds = clock.Elapsed.TotalSeconds;
    }

    public static ClassifierTrainer.Options StandardOptions { get; } = new()
    {
        Epochs = 4, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Seed = 1,
    };

    public Tensor TrainImages { get; }

    public Tensor TrainLabels { get; }

    public Tensor TestImages { get; }

    public Tensor TestLabels { get; }

    public ConvClassifier Model { get; }

    public IReadOnlyList<TrainingProgress> Reports { get; }

    public double TrainingSeconds { get; }

    public void Dispose()
    {
        Model.Dispose();
        TrainImages.Dispose();
        TrainLabels.Dispose();
        TestImages.Dispose();
        TestLabels.Dispose();
    }
}
