using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Vision.Models;

/// <summary>
/// The shape of a CIFAR-style <see cref="ResNet"/>: input channels, the width of the first stage, the number of
/// classes, how many basic blocks each stage holds (which also fixes the stage count) and the activation.
/// Stage <c>s</c> (0-based) has width <c>BaseWidth * 2^s</c> and, except the first, halves the resolution.
/// </summary>
/// <remarks>
/// <see cref="ResNet18"/> gives the usual CIFAR ResNet-18 (64/128/256/512, blocks [2, 2, 2, 2], 11.2M parameters
/// with 10 classes); <see cref="Compact"/> gives a 3-stage 16/32/64 network (about 78k parameters with one block
/// per stage) that trains quickly on a CPU.
/// </remarks>
public sealed record ResNetOptions
{
    /// <summary>Channels of the input images (3 for RGB, 1 for grey). Default 3.</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Channels of the stem and the first stage; each later stage doubles it. Default 64.</summary>
    public int BaseWidth { get; init; } = 64;

    /// <summary>Outputs of the linear head. Default 10.</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Basic blocks in each stage, first stage first; its length is the stage count. Default [2, 2, 2, 2].</summary>
    public IReadOnlyList<int> BlocksPerStage { get; init; } = [2, 2, 2, 2];

    /// <summary>
    /// Makes one activation module. It is called once per call site (stem, and twice per block), and must return
    /// a new instance each time, so that each call site can be hooked or given its own backward rule.
    /// Default: <see cref="ReLU"/>.
    /// </summary>
    public Func<Activation> ActivationFactory { get; init; } = static () => new ReLU();

    /// <summary>The number of stages (the length of <see cref="BlocksPerStage"/>).</summary>
    public int StageCount => BlocksPerStage.Count;

    /// <summary>The channel width of stage <paramref name="stage"/> (0-based): <c>BaseWidth * 2^stage</c>.</summary>
    public long StageWidth(int stage)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stage);
        return (long)BaseWidth << stage;
    }

    /// <summary>The channels of the last feature map (the width of the last stage).</summary>
    public long FeatureChannels => StageWidth(StageCount - 1);

    /// <summary>CIFAR ResNet-18: base width 64, blocks [2, 2, 2, 2], ReLU.</summary>
    public static ResNetOptions ResNet18(int numClasses = 10, int inputChannels = 3) =>
        new() { NumClasses = numClasses, InputChannels = inputChannels };

    /// <summary>A compact 3-stage ResNet with widths 16/32/64 and <paramref name="blocksPerStage"/> blocks per stage.</summary>
    public static ResNetOptions Compact(int numClasses = 10, int inputChannels = 3, int blocksPerStage = 1) =>
        new()
        {
            NumClasses = numClasses,
            InputChannels = inputChannels,
            BaseWidth = 16,
            BlocksPerStage = [blocksPerStage, blocksPerStage, blocksPerStage],
        };

    /// <summary>A copy with <paramref name="stageCount"/> stages of <paramref name="blocksPerStage"/> blocks each.</summary>
    public ResNetOptions WithStages(int stageCount, int blocksPerStage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stageCount, 1);
        return this with { BlocksPerStage = Enumerable.Repeat(blocksPerStage, stageCount).ToArray() };
    }

    /// <summary>
    /// A copy whose activations are <see cref="Softplus"/> with sharpness <paramref name="beta"/>: a smooth ReLU
    /// with non-zero second derivative, as needed by second-order training and smooth explanations.
    /// </summary>
    public ResNetOptions WithSoftplus(double beta = 1, double threshold = 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(beta);
        return this with { ActivationFactory = () => new Softplus(beta, threshold) };
    }

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InputChannels, 1, nameof(InputChannels));
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseWidth, 1, nameof(BaseWidth));
        ArgumentOutOfRangeException.ThrowIfLessThan(NumClasses, 1, nameof(NumClasses));
        ArgumentNullException.ThrowIfNull(BlocksPerStage, nameof(BlocksPerStage));
        ArgumentNullException.ThrowIfNull(ActivationFactory, nameof(ActivationFactory));
        if (StageCount < 1)
        {
            throw new ArgumentException("A ResNet needs at least one stage.", nameof(BlocksPerStage));
        }

        if (BlocksPerStage.Any(b => b < 1))
        {
            throw new ArgumentException(
                $"Every stage needs at least one block; got [{string.Join(", ", BlocksPerStage)}].", nameof(BlocksPerStage));
        }

        if (StageCount > 16)
        {
            throw new ArgumentException($"{StageCount} stages would overflow the channel width.", nameof(BlocksPerStage));
        }
    }
}

/// <summary>
/// The basic residual block of ResNet-18/34: conv3x3(stride) - BN - act - conv3x3 - BN, plus a shortcut, then act.
/// The shortcut is the identity, or a 1x1 convolution with the block's stride followed by BN when the stride or
/// the width changes.
/// </summary>
/// <remarks>
/// Child names: <c>conv1</c>, <c>bn1</c>, <c>act1</c>, <c>conv2</c>, <c>bn2</c>, <c>shortcut</c> (a
/// <see cref="Sequential"/> with <c>0</c> = conv, <c>1</c> = BN; absent for the identity) and <c>act2</c>
/// (applied after the addition).
/// </remarks>
public sealed class ResNetBasicBlock : Module
{
    /// <summary>Creates the block; convolution weights are drawn from <paramref name="generator"/>.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride of the first convolution (and of the shortcut).</param>
    /// <param name="activationFactory">Makes each of the block's two activations.</param>
    /// <param name="generator">Random stream for the initial weights, or null for libtorch's global stream.</param>
    public ResNetBasicBlock(long inChannels, long outChannels, long stride, Func<Activation> activationFactory,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(activationFactory);
        (InChannels, OutChannels, Stride) = (inChannels, outChannels, stride);
        Conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, stride, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels));
        Act1 = RegisterModule("act1", activationFactory());
        Conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, bias: false, generator: generator));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels)
        {
            Shortcut = RegisterModule("shortcut", new Sequential(
                new Conv2d(inChannels, outChannels, 1, stride, 0, bias: false, generator: generator),
                new BatchNorm2d(outChannels)));
        }

        Act2 = RegisterModule("act2", activationFactory());
        if (ReferenceEquals(Act1, Act2))
        {
            throw new ArgumentException("The activation factory must return a new instance on every call.",
                nameof(activationFactory));
        }
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Stride of the first convolution and the shortcut.</summary>
    public long Stride { get; }

    /// <summary>First 3x3 convolution (carries the stride).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Batch norm after <see cref="Conv1"/>.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>Activation after <see cref="Bn1"/>.</summary>
    public Activation Act1 { get; }

    /// <summary>Second 3x3 convolution.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Batch norm after <see cref="Conv2"/>.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>The projection shortcut (1x1 conv + BN), or null for the identity.</summary>
    public Sequential? Shortcut { get; }

    /// <summary>Activation applied to the sum of the residual branch and the shortcut.</summary>
    public Activation Act2 { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        // Intermediates are freed as soon as they are consumed (autograd keeps what backward needs);
        // the scope also frees them if an operation throws.
        using var scope = Torch.Torch.NewDisposeScope();
        Tensor residual;
        using (var c1 = Conv1.Forward(input))
        using (var b1 = Bn1.Forward(c1))
        using (var a1 = Act1.Forward(b1))
        using (var c2 = Conv2.Forward(a1))
        {
            residual = Bn2.Forward(c2);
        }

        using (residual)
        using (var shortcut = Shortcut?.Forward(input))
        using (var sum = residual + (shortcut ?? input))
        {
            return Act2.Forward(sum).MoveToOuterDisposeScope();
        }
    }
}

/// <summary>
/// A CIFAR-style ResNet: a 3x3 stride-1 stem convolution (no max-pool), stages of <see cref="ResNetBasicBlock"/>s,
/// adaptive average pooling and a linear head. With the default <see cref="ResNetOptions"/> it is the usual CIFAR
/// ResNet-18; other options give e.g. the compact 3-stage 16/32/64 network (<see cref="ResNetOptions.Compact"/>).
/// </summary>
/// <remarks>
/// <para>
/// Names follow torchvision, so state dicts read like PyTorch's (with <c>shortcut</c> for torchvision's
/// <c>downsample</c>, and one activation module per call site):
/// </para>
/// <list type="bullet">
/// <item><c>conv1.weight</c> (stem 3x3 convolution, no bias), <c>bn1.{weight, bias, running_mean, running_var,
/// num_batches_tracked}</c>, <c>act1</c> (stem activation, no parameters);</item>
/// <item><c>layer{s}.{b}.conv1.weight</c>, <c>layer{s}.{b}.bn1.*</c>, <c>layer{s}.{b}.act1</c>,
/// <c>layer{s}.{b}.conv2.weight</c>, <c>layer{s}.{b}.bn2.*</c>, <c>layer{s}.{b}.act2</c> for stage
/// <c>s</c> = 1..StageCount and block <c>b</c> = 0..n-1;</item>
/// <item><c>layer{s}.{b}.shortcut.0.weight</c> (1x1 convolution) and <c>layer{s}.{b}.shortcut.1.*</c> (BN) where
/// the block changes stride or width, i.e. the first block of every stage but the first (the stem already has
/// the first stage's width);</item>
/// <item><c>avgpool</c> (no parameters), <c>fc.weight</c>, <c>fc.bias</c>.</item>
/// </list>
/// <para>
/// Weights use PyTorch's default initialisations (nn.Conv2d / nn.Linear: kaiming-uniform with a = sqrt(5); BN weight
/// 1 and bias 0), drawn in construction order from the optional <see cref="Generator"/>.
/// </para>
/// </remarks>
public sealed class ResNet : ConvClassifier
{
    private readonly List<Sequential> _stages = [];
    private readonly List<(string Name, Activation Activation)> _activations = [];

    /// <summary>Creates the network.</summary>
    /// <param name="options">The shape of the network; null for CIFAR ResNet-18 with 10 classes.</param>
    /// <param name="generator">Random stream for the initial weights, or null for libtorch's global stream.</param>
    public ResNet(ResNetOptions? options = null, Generator? generator = null)
    {
        Options = options ?? new ResNetOptions();
        Options.Validate();
        var factory = Options.ActivationFactory;
        var seen = new HashSet<Activation>(ReferenceEqualityComparer.Instance);
        Func<Activation> fresh = () =>
        {
            var activation = factory() ?? throw new InvalidOperationException("The activation factory returned null.");
            if (!seen.Add(activation))
            {
                throw new InvalidOperationException("The activation factory must return a new instance on every call.");
            }

            return activation;
        };

        long width = Options.BaseWidth;
        Conv1 = RegisterModule("conv1", new Conv2d(Options.InputChannels, width, 3, 1, 1, bias: false, generator: generator));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(width));
        Act1 = RegisterModule("act1", fresh());
        _activations.Add(("act1", Act1));

        for (var s = 0; s < Options.StageCount; s++)
        {
            var outWidth = Options.StageWidth(s);
            var blocks = new Module[Options.BlocksPerStage[s]];
            for (var b = 0; b < blocks.Length; b++)
            {
                var stride = s > 0 && b == 0 ? 2 : 1;
                var block = new ResNetBasicBlock(b == 0 ? width : outWidth, outWidth, stride, fresh, generator);
                blocks[b] = block;
                _activations.Add(($"layer{s + 1}.{b}.act1", block.Act1));
                _activations.Add(($"layer{s + 1}.{b}.act2", block.Act2));
            }

            _stages.Add(RegisterModule($"layer{s + 1}", new Sequential(blocks)));
            width = outWidth;
        }

        Pool = RegisterModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        Fc = RegisterModule("fc", new Linear(width, Options.NumClasses, generator: generator));
    }

    /// <summary>Creates a CIFAR ResNet-18 (11.2M parameters with 10 classes).</summary>
    public static ResNet ResNet18(int numClasses = 10, int inputChannels = 3, Generator? generator = null) =>
        new(ResNetOptions.ResNet18(numClasses, inputChannels), generator);

    /// <summary>Creates the compact 3-stage 16/32/64 ResNet (about 78k parameters with one block per stage).</summary>
    public static ResNet Compact(int numClasses = 10, int inputChannels = 3, int blocksPerStage = 1,
        Generator? generator = null) =>
        new(ResNetOptions.Compact(numClasses, inputChannels, blocksPerStage), generator);

    /// <summary>The options the network was built with.</summary>
    public ResNetOptions Options { get; }

    /// <summary>Stem 3x3 convolution (stride 1, padding 1, no bias).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Stem batch norm.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>Stem activation.</summary>
    public Activation Act1 { get; }

    /// <summary>The stages <c>layer1</c>, <c>layer2</c>, ...: each a <see cref="Sequential"/> of <see cref="ResNetBasicBlock"/>s.</summary>
    public IReadOnlyList<Sequential> Stages => _stages;

    /// <summary>Global average pooling to 1x1.</summary>
    public AdaptiveAvgPool2d Pool { get; }

    /// <summary>Linear classification head.</summary>
    public Linear Fc { get; }

    /// <inheritdoc />
    public override int NumClasses => Options.NumClasses;

    /// <summary>Channels of the feature map returned by <see cref="Features"/>.</summary>
    public override long FeatureChannels => Options.FeatureChannels;

    /// <summary>
    /// Every activation call site with its dotted module name (<c>act1</c>, <c>layer1.0.act1</c>, ...), in forward
    /// order; set <see cref="Activation.BackwardOverride"/> on them for modified-gradient explanations.
    /// </summary>
    public override IReadOnlyList<(string Name, Activation Activation)> Activations => _activations;

    /// <summary>
    /// The last convolutional feature map, before pooling: [N, FeatureChannels, H / 2^(StageCount-1),
    /// W / 2^(StageCount-1)] for NCHW input (the usual Grad-CAM target layer). The caller (or its scope) owns the result.
    /// </summary>
    public override Tensor Features(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = Torch.Torch.NewDisposeScope();
        Tensor x;
        using (var c = Conv1.Forward(input))
        using (var b = Bn1.Forward(c))
        {
            x = Act1.Forward(b);
        }

        foreach (var stage in _stages)
        {
            var next = stage.Forward(x);
            x.Dispose();
            x = next;
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Logits [N, NumClasses] from a feature map given by <see cref="Features"/>: average pool, flatten, linear.</summary>
    public override Tensor Classify(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = Torch.Torch.NewDisposeScope();
        using var pooled = Pool.Forward(features);
        using var flat = pooled.Flatten(1);
        return Fc.Forward(flat).MoveToOuterDisposeScope();
    }
}
