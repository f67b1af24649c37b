using MLNetExplain.Datasets;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>The Fashion-MNIST subsets of a run: the first <c>TrainRows</c> training and <c>TestRows</c> test images, pixels in [0, 1].</summary>
internal sealed class ReproduceData : IDisposable
{
    private ReproduceData(Tensor trainImages, Tensor trainLabels, Tensor testImages, Tensor testLabels)
    {
        TrainImages = trainImages;
        TrainLabels = trainLabels;
        TestImages = testImages;
        TestLabels = testLabels;
    }

    /// <summary>Training images [N, 1, 28, 28].</summary>
    public Tensor TrainImages { get; }

    /// <summary>Training labels, int64 [N].</summary>
    public Tensor TrainLabels { get; }

    /// <summary>Test images [M, 1, 28, 28].</summary>
    public Tensor TestImages { get; }

    /// <summary>Test labels, int64 [M].</summary>
    public Tensor TestLabels { get; }

    /// <summary>Reads the subsets from the installed Fashion-MNIST (see docs/pipeline.md for where it is looked for).</summary>
    public static ReproduceData Load(ReproduceOptions o)
    {
        var train = FashionMnist.Load(DatasetSplit.Train);
        var test = FashionMnist.Load(DatasetSplit.Test);
        var (trainImages, trainLabels) = train.ToTensors(0, Math.Min(o.TrainRows, train.Count));
        var (testImages, testLabels) = test.ToTensors(0, Math.Min(o.TestRows, test.Count));
        return new ReproduceData(trainImages, trainLabels, testImages, testLabels);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        TrainImages.Dispose();
        TrainLabels.Dispose();
        TestImages.Dispose();
        TestLabels.Dispose();
    }
}
