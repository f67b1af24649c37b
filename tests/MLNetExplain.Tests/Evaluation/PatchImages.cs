using MLNetExplain.Evaluation;
using MLNetExplain.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

/// <summary>
/// An easy synthetic task where ROAR must work: 1 x 8 x 8 images of uniform noise in [0, 1] with a 2 x 2 patch of
/// ones in the corner of the image's class (4 classes). Only the patch tells the class, so removing it must hurt.
/// </summary>
internal static class PatchImages
{
    public const int Classes = 4, Size = 8;

    public static (Tensor Images, Tensor Labels) Make(int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var images = rand([count, 1, Size, Size], generator: generator);
        var labels = arange(count, dtype: ScalarType.Int64).remainder(Classes);
        using var noGrad = no_grad();
        for (int i = 0; i < count; i++)
        {
            int k = i % Classes, row = k / 2 * (Size - 2), column = k % 2 * (Size - 2);
            images[i, 0, TensorIndex.Slice(row, row + 2), TensorIndex.Slice(column, column + 2)] = tensor(1f);
        }

        return (images, labels);
    }

    public static RoarDataset Dataset(int train = 800, int test = 400)
    {
        var (trainImages, trainLabels) = Make(train, 1);
        var (testImages, testLabels) = Make(test, 2);
        return new RoarDataset(trainImages, trainLabels, testImages, testLabels);
    }
}

/// <summary>Logistic regression over the 64 pixels: it can learn where the patch is.</summary>
internal sealed class PixelLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public PixelLinear(long seed) : base(nameof(PixelLinear))
    {
        fc = nn.Linear(PatchImages.Size * PatchImages.Size, PatchImages.Classes);
        RegisterComponents();
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        fc.weight!.copy_(rand(fc.weight.shape, generator: generator).mul_(0.2).sub_(0.1));
        fc.bias!.zero_();
    }

    public override Tensor forward(Tensor input) => fc.call(input.flatten(1));

    public static PixelLinear Trained(Tensor images, Tensor labels, long seed)
    {
        var model = new PixelLinear(seed);
        new ClassifierTrainer(new ClassifierTrainer.Options { Epochs = 10, BatchSize = 100, Optimizer = OptimizerKind.Adam, LearningRate = 0.05, WeightDecay = 1e-4, Seed = seed })
            .Train(model, images, labels);
        return model;
    }
}

/// <summary>Retrains a <see cref="PixelLinear"/> from scratch per cell, counting its calls.</summary>
internal sealed class PixelLinearTrainer : IRoarTrainer
{
    public int Calls { get; private set; }

    public double TrainAndTest(RoarDataset data, long seed, CancellationToken cancellationToken)
    {
        Calls++;
        using var model = PixelLinear.Trained(data.TrainImages, data.TrainLabels, seed);
        return ClassifierEvaluation.Accuracy(model, data.TestImages, data.TestLabels);
    }
}
