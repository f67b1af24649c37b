using MLNetExplain.Attacks;
using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>The tensor-API methods and PGD on a TorchScript classifier traced by PyTorch, at batch 4.</summary>
[Collection(TorchScriptCollection.Name)]
public class TorchScriptAttributionTests(TorchScriptFiles files)
{
    [Fact]
    public void SaliencyMatchesPyTorchAtBatchFour()
    {
        using var scope = NewDisposeScope();
        using var model = TorchScriptClassifier.Load(files.ModelPath, inputShape: [1, 28, 28]);
        var maps = new Saliency(model).Attribute(files.Images(), TorchScriptFiles.TargetTensor());
        Assert.Equal([4L, 1L, 28L, 28L], maps.shape);
        double error = TorchScriptFiles.RelativeError(maps, files.Saliency);
        Console.WriteLine($"TorchScript saliency vs PyTorch at batch 4: relative error {error:G3}");
        Assert.True(error < 1e-5, $"saliency differs from PyTorch's by {error:G3} (relative); engine affected: {ConvolutionGuard.EngineAffected}");
        // Each example's map is its own: the batch-of-one maps are the same rows.
        var single = new Saliency(model).Attribute(files.Images().narrow(0, 2, 1), TorchScriptFiles.TargetTensor().narrow(0, 2, 1));
        Assert.True((single[0] - maps[2]).abs().max().item<float>() < 1e-6f * maps[2].abs().max().item<float>());
    }

    [Fact]
    public void SmoothGradRunsAndRepeatsForASeed()
    {
        using var scope = NewDisposeScope();
        using var model = TorchScriptClassifier.Load(files.ModelPath);
        var options = new SmoothGradOptions { Samples = 8, Seed = 42 };
        Tensor Run(SmoothGradOptions o)
        {
            using var method = new SmoothGrad(model, o);
            return method.Attribute(files.Images(), TorchScriptFiles.TargetTensor());
        }

        var first = Run(options);
        var again = Run(options);
        var otherSeed = Run(options with { Seed = 43 });
        Assert.Equal([4L, 1L, 28L, 28L], first.shape);
        Assert.True(first.isfinite().all().item<bool>() && first.min().item<float>() >= 0f);
        Assert.Equal(0f, (first - again).abs().max().item<float>());
        Assert.True((first - otherSeed).abs().max().item<float>() > 0f, "another seed draws other noise");
        // The noise changes the map, but it stays close to the plain saliency of the same images.
        var saliency = new Saliency(model).Attribute(files.Images(), TorchScriptFiles.TargetTensor());
        double cosine = (first * saliency).sum().item<float>() / (first.norm().item<float>() * saliency.norm().item<float>());
        Assert.True(cosine > 0.5 && cosine < 1 - 1e-6, $"cosine to saliency {cosine}");
    }

    [Fact]
    public void PgdStaysWithinEpsilonRaisesTheLossAndEqualsTheAttackOnTheBareScriptModule()
    {
        using var scope = NewDisposeScope();
        using var model = TorchScriptClassifier.Load(files.ModelPath);
        var images = files.Images();
        var labels = TorchScriptFiles.TargetTensor();
        var attack = new PgdAttack(new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 0.5, Steps = 5 });
        var adversarial = attack.Perturb(model, images, labels);

        var distance = (adversarial - images).flatten(1).norm(1);
        Assert.True(distance.max().item<float>() <= 0.5f + 1e-5f, $"L2 distances {string.Join(", ", distance.data<float>().ToArray())}");
        Assert.True(distance.min().item<float>() > 0.1f, "every image moved");
        Assert.True(adversarial.min().item<float>() >= 0f && adversarial.max().item<float>() <= 1f);
        using (no_grad())
        {
            var clean = nn.functional.cross_entropy(model.call(images), labels, reduction: nn.Reduction.None);
            var attacked = nn.functional.cross_entropy(model.call(adversarial), labels, reduction: nn.Reduction.None);
            Assert.True((attacked > clean).all().item<bool>(), "the attack raises every example's loss");
        }

        using var bare = jit.load<Tensor, Tensor>(files.ModelPath);
        bare.eval();
        var onBare = attack.Perturb(bare, images, labels);
        Assert.Equal(0f, (onBare - adversarial).abs().max().item<float>());
    }
}
