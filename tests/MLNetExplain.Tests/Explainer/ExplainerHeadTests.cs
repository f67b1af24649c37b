using MLNetExplain.Engine;
using MLNetExplain.Explainer;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Explainer;

public class ExplainerHeadTests
{
    // (in, out, stride) of the layers before the 1x1 output, by state-dict name.
    private static (long In, long Out, long Stride)[] Layers(ExplainerHead head) => head.named_children()
        .Where(c => c.name != "out" && !c.name.StartsWith("bn", StringComparison.Ordinal))
        .Select(c => c.module switch
        {
            GuardedConv2d conv when c.name.StartsWith("conv", StringComparison.Ordinal) => (conv.InChannels, conv.OutChannels, 1L),
            ConvTranspose2d deconv when c.name.StartsWith("deconv", StringComparison.Ordinal) => (deconv.in_channels, deconv.out_channels, deconv.stride[0]),
            _ => throw new InvalidOperationException($"unexpected layer {c.name}: {c.module.GetType().Name}"),
        }).ToArray();

    [Theory]
    // ResNet-18 on CIFAR: channels halve from 512; one size-keeping layer, then three doublings 4 -> 32.
    [InlineData(512, 4, 32, new long[] { 512, 256, 128, 64, 32 }, new long[] { 1, 2, 2, 2 })]
    // A compact CNN on Fashion-MNIST: two size-keeping layers at 7x7, then two doublings to 28; at least 8 channels.
    [InlineData(32, 7, 28, new long[] { 32, 16, 8, 8, 8 }, new long[] { 1, 1, 2, 2 })]
    public void ChannelsHalveAndTheLastLayersUpsample(int channels, int featureSize, int inputSize, long[] widths, long[] strides)
    {
        using var head = new ExplainerHead(new ExplainerHeadSpec(channels, featureSize, featureSize, inputSize, inputSize));
        var layers = Layers(head);
        Assert.Equal(widths[..^1], layers.Select(l => l.In));
        Assert.Equal(widths[1..], layers.Select(l => l.Out));
        Assert.Equal(strides, layers.Select(l => l.Stride));
        using var scope = NewDisposeScope();
        head.eval();
        Assert.Equal(new long[] { 2, 1, inputSize, inputSize }, head.call(zeros(2, channels, featureSize, featureSize)).shape);
    }

    [Fact]
    public void SizesThatAreNotAPowerOfTwoMultipleAreResized()
    {
        // 7 -> 14 -> 28 by two doublings (a third would overshoot 30), then a bilinear resize to 30x30; 3 map channels.
        using var head = new ExplainerHead(new ExplainerHeadSpec(64, 7, 7, 30, 30, OutputChannels: 3));
        Assert.Equal(new long[] { 1, 1, 2, 2 }, Layers(head).Select(l => l.Stride));
        using var scope = NewDisposeScope();
        head.eval();
        Assert.Equal(new long[] { 1, 3, 30, 30 }, head.call(zeros(1, 64, 7, 7)).shape);
    }

    [Fact]
    public void AGeneratorMakesTheInitialisationRepeatableWithPyTorchsBounds()
    {
        var spec = new ExplainerHeadSpec(20, 7, 7, 28, 28);
        using var a = spec.Build(new Generator(4));
        using var b = spec.Build(new Generator(4));
        using var c = spec.Build(new Generator(5));
        var pa = a.named_parameters().ToArray();
        var pb = b.named_parameters().ToArray();
        Assert.All(pa.Zip(pb), p => Assert.True(p.First.parameter.equal(p.Second.parameter).all().item<bool>(), p.First.name));
        Assert.False(pa[0].parameter.equal(c.parameters().First()).all().item<bool>());
        // conv1 reads 20 channels with 3x3 kernels: fan_in 180, bound 1/sqrt(180).
        var conv1 = a.get_parameter("conv1.weight")!;
        Assert.InRange(conv1.abs().max().item<float>(), 0.5 / Math.Sqrt(180), 1 / Math.Sqrt(180));
    }

    [Fact]
    public void AWrongFeatureMapIsRefusedWithTheExpectedShape()
    {
        using var head = new ExplainerHead(new ExplainerHeadSpec(16, 7, 7, 28, 28));
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => head.call(zeros(2, 8, 7, 7)));
        Assert.Contains("[N, 16, 7, 7]", ex.Message);
        Assert.Throws<ArgumentException>(() => new ExplainerHeadSpec(0, 7, 7, 28, 28).Build());
    }
}
