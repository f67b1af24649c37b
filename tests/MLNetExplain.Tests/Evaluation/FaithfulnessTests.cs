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

    [Fact]
    public void SmoothGradsMostRelevantRegionsMatterMoreThanRandomOrLeastRelevantOnes()
    {
        using var scope = NewDisposeScope();
        var images = data.TestImages.narrow(0, 0, 100);
        var smooth = data.TestTargets.narrow(0, 0, 100);
        var labels = data.TestLabels.narrow(0, 0, 100);
        double Aopc(RegionOrder order) =>
            RegionPerturbation.Compute(data.Robust, images, smooth, labels, new RegionPerturbationOptions { Order = order, Regions = 20, Seed = 1 }).Aopc;

        double morf = Aopc(RegionOrder.MostRelevantFirst), random = Aopc(RegionOrder.Random), lerf = Aopc(RegionOrder.LeastRelevantFirst);
        output.WriteLine($"AOPC over 20 of 49 regions: MoRF {morf:F3}, random {random:F3}, LeRF {lerf:F3}");
        Assert.True(morf > random + 0.05, $"MoRF {morf:F3} vs random {random:F3}");
        Assert.True(random > lerf, $"random {random:F3} vs LeRF {lerf:F3}");
    }

    [Fact]
    public void CascadingRandomisationDecorrelatesTheGradientOfATrainedModel()
    {
        using var scope = NewDisposeScope();
        var images = data.TestImages.narrow(0, 0, 20);
        var labels = data.TestLabels.narrow(0, 0, 20);
        var before = data.Robust.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var result = ModelRandomization.Compute(data.Robust, new MLNetExplain.Attribution.Saliency(data.Robust), images, labels);
        output.WriteLine(string.Join("; ", result.Layers.Select(l => $"{l.Layer}: Spearman {l.MeanSpearman:F3}, SSIM {l.MeanSsim:F3}")));
        Assert.Equal(["fc", "conv3", "conv2", "bn1", "conv1"], result.Layers.Select(l => l.Layer));
        Assert.True(result.Layers[^1].MeanSpearman < 0.5, $"fully randomised: {result.Layers[^1].MeanSpearman:F3}");
        Assert.True(result.Layers[^1].MeanSsim < result.Layers[0].MeanSsim);
        Assert.All(data.Robust.state_dict(), p => Assert.True(p.Value.eq(before[p.Key]).all().item<bool>(), p.Key));
    }
}
