using MLNetExplain.Attribution;
using MLNetExplain.Datasets;
using MLNetExplain.Tests.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Explainer;

/// <summary>
/// A Fashion-MNIST subset with robust-attribution targets. A briefly trained standard CNN stands in for the
/// robust counterpart f': the alignment mechanism is the same whichever model supplies the targets.
/// </summary>
public sealed class AlignmentData : IDisposable
{
    /// <summary>The test collection that shares one instance (the targets take seconds to compute).</summary>
    public const string Collection = "Fashion-MNIST alignment data";

    public AlignmentData()
    {
        (TrainImages, TrainLabels) = FashionMnist.Load(DatasetSplit.Train).ToTensors(0, 2000);
        (TestImages, TestLabels) = FashionMnist.Load(DatasetSplit.Test).ToTensors(0, 200);
        random.manual_seed(100);
        Robust = new TinyConvClassifier(1, 28, 10, 8, 16, 16);
        PlainTraining.Run(Robust, TrainImages, TrainLabels, seed: 100, epochs: 1, batchSize: 64, learningRate: 0.05);
        Robust.eval();
        using var smooth = new SmoothGrad(Robust, new SmoothGradOptions { Samples = 8, Seed = 1 });
        TrainTargets = smooth.Attribute(TrainImages, TrainLabels);
        TestTargets = smooth.Attribute(TestImages, TestLabels);
    }

    public Tensor TrainImages { get; }

    public Tensor TrainLabels { get; }

    public Tensor TestImages { get; }

    public Tensor TestLabels { get; }

    /// <summary>SmoothGrad-8 of <see cref="Robust"/> for the true class, [N, 1, 28, 28].</summary>
    public Tensor TrainTargets { get; }

    public Tensor TestTargets { get; }

    /// <summary>The stand-in for f' (trained one epoch).</summary>
    internal TinyConvClassifier Robust { get; }

    public void Dispose()
    {
        foreach (var t in new[] { TrainImages, TrainLabels, TestImages, TestLabels, TrainTargets, TestTargets })
        {
            t.Dispose();
        }

        Robust.Dispose();
    }
}

/// <summary>Shares one <see cref="AlignmentData"/> between the test classes that use it.</summary>
[CollectionDefinition(AlignmentData.Collection)]
public sealed class AlignmentDataCollection : ICollectionFixture<AlignmentData>;

/// <summary>Plain cross-entropy training with SGD in the alignment trainer's row order: the reference for lambda = 0.</summary>
internal static class PlainTraining
{
    public static void Run(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, long seed, int epochs, int batchSize, double learningRate,
        double momentum = 0.9, double weightDecay = 5e-4)
    {
        using var optimizer = optim.SGD(model.parameters(), learningRate, momentum, 0, weightDecay);
        model.train();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            using var order = MLNetExplain.Explainer.ExplainerAlignmentTrainer.EpochOrder(seed, epoch, images.shape[0]);
            for (long first = 0; first < images.shape[0]; first += batchSize)
            {
                using var scope = NewDisposeScope();
                var index = order.narrow(0, first, Math.Min(batchSize, images.shape[0] - first));
                var loss = nn.functional.cross_entropy(model.call(images.index_select(0, index)), labels.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }
    }
}
