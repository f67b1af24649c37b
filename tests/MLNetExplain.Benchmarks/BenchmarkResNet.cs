using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// The CIFAR ResNet of peer_torch.py (3x3 stride-1 stem, no max-pool, basic blocks, mean pooling, linear head),
/// built from <see cref="GuardedConv2d"/> and TorchSharp layers, until the library's models arrive.
/// </summary>
internal sealed class BenchmarkResNet : nn.Module<Tensor, Tensor>
{
    private readonly GuardedConv2d conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> act1;
    private readonly nn.Module<Tensor, Tensor>[] _stages;
    private readonly nn.Module<Tensor, Tensor> linear;

    /// <param name="inPlace">ReLU and the residual addition in place (as torchvision's ResNet), saving one
    /// activation-sized tensor per ReLU and per block.</param>
    public BenchmarkResNet(int numClasses, int baseWidth, int[] blocks, bool inPlace = false) : base(nameof(BenchmarkResNet))
    {
        long width = baseWidth;
        conv1 = new GuardedConv2d(3, width, 3, 1, 1, bias: false);
        bn1 = nn.BatchNorm2d(width);
        act1 = nn.ReLU(inplace: inPlace);
        register_module(nameof(conv1), conv1);
        register_module(nameof(bn1), bn1);
        register_module(nameof(act1), act1);
        _stages = new nn.Module<Tensor, Tensor>[blocks.Length];
        for (var s = 0; s < blocks.Length; s++)
        {
            long outWidth = (long)baseWidth << s;
            var stage = new nn.Module<Tensor, Tensor>[blocks[s]];
            for (var b = 0; b < stage.Length; b++)
            {
                stage[b] = new Block(b == 0 ? width : outWidth, outWidth, s > 0 && b == 0 ? 2 : 1, inPlace);
            }

            _stages[s] = nn.Sequential(stage);
            register_module($"layer{s + 1}", _stages[s]);
            width = outWidth;
        }

        FeatureChannels = width;
        linear = nn.Linear(width, numClasses);
        register_module(nameof(linear), linear);
    }

    public long FeatureChannels { get; }

    public static BenchmarkResNet ResNet18(bool inPlace = false) => new(10, 64, [2, 2, 2, 2], inPlace);

    public static BenchmarkResNet Compact(int baseWidth = 16) => new(10, baseWidth, [1, 1, 1]);

    public Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = act1.call(bn1.call(conv1.call(input)));
        foreach (var stage in _stages)
        {
            x = stage.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    public Tensor Classify(Tensor features)
    {
        using var scope = NewDisposeScope();
        return linear.call(features.mean([2, 3])).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Classify(Features(input)).MoveToOuterDisposeScope();
    }

    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly GuardedConv2d conv1;
        private readonly nn.Module<Tensor, Tensor> bn1;
        private readonly nn.Module<Tensor, Tensor> act1;
        private readonly GuardedConv2d conv2;
        private readonly nn.Module<Tensor, Tensor> bn2;
        private readonly nn.Module<Tensor, Tensor>? shortcut;
        private readonly nn.Module<Tensor, Tensor> act2;

        private readonly bool _inPlace;

        public Block(long inChannels, long outChannels, long stride, bool inPlace) : base(nameof(Block))
        {
            _inPlace = inPlace;
            conv1 = new GuardedConv2d(inChannels, outChannels, 3, stride, 1, bias: false);
            bn1 = nn.BatchNorm2d(outChannels);
            act1 = nn.ReLU(inplace: inPlace);
            conv2 = new GuardedConv2d(outChannels, outChannels, 3, 1, 1, bias: false);
            bn2 = nn.BatchNorm2d(outChannels);
            if (stride != 1 || inChannels != outChannels)
            {
                shortcut = nn.Sequential(new GuardedConv2d(inChannels, outChannels, 1, stride, 0, bias: false), nn.BatchNorm2d(outChannels));
            }

            act2 = nn.ReLU(inplace: inPlace);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var residual = bn2.call(conv2.call(act1.call(bn1.call(conv1.call(input)))));
            var skip = shortcut is null ? input : shortcut.call(input);
            var sum = _inPlace ? residual.add_(skip) : residual + skip;
            return act2.call(sum).MoveToOuterDisposeScope();
        }
    }
}
