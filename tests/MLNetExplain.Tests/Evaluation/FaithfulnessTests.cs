using MLNetExplain.Evaluation;
using MLNetExplain.Tests.Explainer;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

/// <summary>Deletion curves on real images: a model's own SmoothGrad must beat a random ranking.</summary>
[Collection(AlignmentData.Collection)]
public sealed class FaithfulnessTests(AlignmentData data, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void SmoothGradOfTheModelDeletesFasterAndInsertsFasterThanRandomMaps()
    {
        using var scope = NewDisposeScope();
        var images = data.TestImages.narrow(0, 0, 100);
        var smooth = data.TestTargets.narrow(0, 0, 100);
        var random = rand(smooth.shape, generator: new Generator(3));
        double Area(TorchSharp.torch.Tensor maps, PerturbationOrder order) =>
            DeletionCurve.Compute(data.Robust, images, maps, new DeletionCurveOptions { Steps = 10, Order = order }).Area;

        double deletion = Area(smooth, PerturbationOrder.Deletion), randomDeletion = Area(random, PerturbationOrder.Deletion);
        double insertion = Area(smooth, PerturbationOrder.Insertion), randomInsertion = Area(random, PerturbationOrder.Insertion);
        output.WriteLine($"deletion AUC {deletion:F3} (random {randomDeletion:F3}); insertion AUC {insertion:F3} (random {randomInsertion:F3})");
        Assert.True(deletion < randomDeletion - 0.05, $"deletion AUC {deletion:F3} vs random {randomDeletion:F3}");
        Assert.True(insertion > randomInsertion + 0.05, $"insertion AUC {insertion:F3} vs random {randomInsertion:F3}");
    }
}
