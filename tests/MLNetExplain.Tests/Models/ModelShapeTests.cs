using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Models;

public class ModelShapeTests
{
    [Fact]
    public void ResNet18HasTheCifarShapesAndParameterCount()
    {
        using var scope = NewDisposeScope();
        using var model = ResNet.ResNet18();
        model.eval();
        var x = rand(2, 3, 32, 32);
        using (no_grad())
        {
            Assert.Equal(new long[] { 2, 512, 4, 4 }, model.Features(x).shape);
            Assert.Equal(new long[] { 2, 10 }, model.call(x).shape);
        }

        // 11,173,962: the parameter count of the CIFAR ResNet-18 (kuangliu/pytorch-cifar) with 10 classes.
        Assert.Equal(11_173_962, model.parameters().Sum(p => p.numel()));
        Assert.Equal(512, model.FeatureChannels);
        Assert.Equal(10, model.NumClasses);
    }

    [Fact]
    public void CompactResNetAndSmallCnnGiveQuarterResolutionFeatures()
    {
        using var scope = NewDisposeScope();
        var x = rand(3, 1, 28, 28);
        using var compact = ResNet.Compact(numClasses: 7, inputChannels: 1);
        using var small = new SmallCnn(inputChannels: 1, numClasses: 5, width: 8);
        using (no_grad())
        {
            Assert.Equal(new long[] { 3, 64, 7, 7 }, compact.Features(x).shape);
            Assert.Equal(new long[] { 3, 7 }, compact.call(x).shape);
            Assert.Equal(new long[] { 3, 16, 7, 7 }, small.Features(x).shape);
            Assert.Equal(new long[] { 3, 5 }, small.call(x).shape);
        }

        Assert.InRange(compact.parameters().Sum(p => p.numel()), 70_000, 80_000);
    }

    [Fact]
    public void StateDictNamesFollowThePyTorchCifarResNet()
    {
        using var model = ResNet.ResNet18();
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("conv1.weight", names);
        Assert.Contains("bn1.running_var", names);
        Assert.Contains("bn1.num_batches_tracked", names);
        Assert.Contains("layer1.0.conv1.weight", names);
        Assert.Contains("layer1.1.bn2.bias", names);
        Assert.Contains("layer2.0.shortcut.0.weight", names);
        Assert.Contains("layer4.0.shortcut.1.running_mean", names);
        Assert.Contains("linear.weight", names);
        Assert.Contains("linear.bias", names);
        Assert.DoesNotContain("layer1.0.shortcut.0.weight", names);
        Assert.DoesNotContain("layer2.1.shortcut.0.weight", names);
        Assert.Equal(122, names.Count);
        Assert.All(names, n => Assert.DoesNotContain("act", n));

        using var small = new SmallCnn();
        Assert.Equal(
            ["bn1.bias", "bn1.num_batches_tracked", "bn1.running_mean", "bn1.running_var", "bn1.weight", "bn2.bias", "bn2.num_batches_tracked", "bn2.running_mean",
             "bn2.running_var", "bn2.weight", "bn3.bias", "bn3.num_batches_tracked", "bn3.running_mean", "bn3.running_var", "bn3.weight",
             "conv1.weight", "conv2.weight", "conv3.weight", "fc.bias", "fc.weight"],
            small.state_dict().Keys.Order());
    }

    [Fact]
    public void NormalizedClassifierNormalisesWithBuffers()
    {
        using var scope = NewDisposeScope();
        var inner = new SmallCnn(inputChannels: 3, numClasses: 4, width: 8);
        using var model = new NormalizedClassifier(inner, [0.5f, 0.4f, 0.3f], [0.2f, 0.25f, 0.5f]);
        model.eval();
        Assert.Contains("mean", model.state_dict().Keys);
        Assert.Contains("std", model.state_dict().Keys);
        Assert.Contains("net.conv1.weight", model.state_dict().Keys);
        Assert.DoesNotContain(model.parameters(), p => p.shape.SequenceEqual(new long[] { 1, 3, 1, 1 }));

        var x = rand(2, 3, 16, 16);
        var expected = (x - tensor(new[] { 0.5f, 0.4f, 0.3f }).view(1, 3, 1, 1)) / tensor(new[] { 0.2f, 0.25f, 0.5f }).view(1, 3, 1, 1);
        using (no_grad())
        {
            Assert.True(model.call(x).allclose(inner.call(expected), 1e-5, 1e-6));
        }

        var ex = Assert.Throws<ArgumentException>(() => model.call(rand(2, 1, 16, 16)));
        Assert.Contains("[N, 3, H, W]", ex.Message);
        Assert.Throws<ArgumentException>(() => new NormalizedClassifier(new SmallCnn(), [0.5f], [0f]));
    }

    [Fact]
    public void SpecBuildsEveryArchitectureAndSeedsTheWeights()
    {
        using var scope = NewDisposeScope();
        var spec = ClassifierSpec.SmallCnn(10, 1, 8).WithNormalization([0.286f], [0.353f]).WithSoftplus(3);
        using var a = spec.Build(new Generator(5));
        using var b = spec.Build(new Generator(5));
        using var c = spec.Build(new Generator(6));
        Assert.IsType<NormalizedClassifier>(a);
        Assert.IsType<SmallCnn>(((NormalizedClassifier)a).Net);
        Assert.Contains(a.named_modules(), m => m.module is TorchSharp.Modules.Softplus);
        var wa = a.state_dict()["net.conv1.weight"];
        Assert.True(wa.eq(b.state_dict()["net.conv1.weight"]).all().item<bool>());
        Assert.False(wa.eq(c.state_dict()["net.conv1.weight"]).all().item<bool>());
        // PyTorch's default bound 1 / sqrt(fan_in), fan_in = 1 * 3 * 3.
        Assert.InRange(wa.abs().max().item<float>(), 0.2f, 1 / 3f);

        using var resnet = ClassifierSpec.CompactResNet(3, 1).Build();
        Assert.IsType<ResNet>(resnet);
        Assert.Equal(3, resnet.NumClasses);

        var bad = Assert.Throws<ArgumentException>(() => ClassifierSpec.ResNet18().WithNormalization([0.5f], [0.2f]).Build());
        Assert.Contains("Mean", bad.Message);
        Assert.Throws<ArgumentException>(() => (ClassifierSpec.ResNet18() with { BlocksPerStage = [] }).Build());
    }
}
