using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Vision.Tests;

public sealed class ExplainerHeadTests
{
    // The layers before the 1x1 output: size-keeping ones are convolutions, upsampling ones transposed convolutions.
    private static (long In, long Out, long Stride)[] Layers(ExplainerHead head) => head.NamedChildren()
        .Where(c => c.Name != "out")
        .Select(c => c.Module switch
        {
            Conv2d conv => ((long, long, long)?)(conv.Weight.Size(1), conv.Weight.Size(0), conv.Stride),
            ConvTranspose2d deconv when deconv.Stride == 2 => (deconv.Weight.Size(0), deconv.Weight.Size(1), deconv.Stride),
            ConvTranspose2d => throw new InvalidOperationException("a size-keeping layer should be a plain convolution"),
            _ => null,
        })
        .OfType<(long, long, long)>().ToArray();

    [Theory]
    // ResNet-18 on CIFAR: channels halve from 512; one size-keeping layer, then three doublings 4 -> 32.
    [InlineData(512, 4, 32, new long[] { 512, 256, 128, 64, 32 }, new long[] { 1, 2, 2, 2 })]
    // The demo CNN on Fashion-MNIST: two size-keeping layers at 7x7, then two doublings to 28; at least 8 channels.
    [InlineData(32, 7, 28, new long[] { 32, 16, 8, 8, 8 }, new long[] { 1, 1, 2, 2 })]
    public void ChannelsHalveAndTheLastLayersUpsample(int channels, int featureSize, int inputSize, long[] widths, long[] strides)
    {
        using var head = new ExplainerHead(channels, featureSize, featureSize, inputSize, inputSize);
        var layers = Layers(head);
        Assert.Equal(widths[..^1], layers.Select(l => l.In));
        Assert.Equal(widths[1..], layers.Select(l => l.Out));
        Assert.Equal(strides, layers.Select(l => l.Stride));
        using var scope = Torch.Torch.NewDisposeScope();
        head.Eval();
        Assert.Equal(new long[] { 2, 1, inputSize, inputSize }, head.Forward(Tensor.Zeros([2, channels, featureSize, featureSize])).Shape);
    }

    [Fact]
    public void SizesThatAreNotAPowerOfTwoMultipleAreResized()
    {
        // 7 -> 14 -> 28 by two doublings (a third would overshoot 30), then a bilinear resize to 30x30; 3 map channels.
        using var head = new ExplainerHead(64, 7, 7, 30, 30, outputChannels: 3);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, Layers(head).Select(l => l.Stride));
        using var scope = Torch.Torch.NewDisposeScope();
        head.Eval();
        Assert.Equal(new long[] { 1, 3, 30, 30 }, head.Forward(Tensor.Zeros([1, 64, 7, 7])).Shape);
    }
}
