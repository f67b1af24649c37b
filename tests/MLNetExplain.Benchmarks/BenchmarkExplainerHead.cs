using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// The explainer head of seed 001 as peer_torch.py builds it (until the library's arrives): four conv or
/// transposed-conv (x2) + BN + ReLU layers halving the channels (at least 8) from the feature map up to the input
/// size, then a 1x1 convolution to one heatmap channel.
/// </summary>
internal sealed class BenchmarkExplainerHead : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor>[] _blocks;
    private readonly nn.Module<Tensor, Tensor> output;

    public BenchmarkExplainerHead(long featureChannels, int featureSize, int inputSize, int layers = 4) : base(nameof(BenchmarkExplainerHead))
    {
        var doublings = 0;
        for (var h = featureSize; h * 2 <= inputSize && doublings < layers; h *= 2)
        {
            doublings++;
        }

        var channels = featureChannels;
        _blocks = new nn.Module<Tensor, Tensor>[layers];
        for (var k = 0; k < layers; k++)
        {
            var next = Math.Max(8, channels / 2);
            nn.Module<Tensor, Tensor> conv = k >= layers - doublings
                ? nn.ConvTranspose2d(channels, next, 3, stride: 2, padding: 1, output_padding: 1, bias: false)
                : new GuardedConv2d(channels, next, 3, 1, 1, bias: false);
            _blocks[k] = nn.Sequential(conv, nn.BatchNorm2d(next), nn.ReLU());
            register_module($"block{k + 1}", _blocks[k]);
            channels = next;
        }

        output = new GuardedConv2d(channels, 1, 1);
        register_module("out", output);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var block in _blocks)
        {
            x = block.call(x);
        }

        return output.call(x).MoveToOuterDisposeScope();
    }
}
