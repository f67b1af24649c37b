using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Vision.Models;

/// <summary>Architectures a <see cref="ClassifierSpec"/> can build.</summary>
public enum ClassifierArchitecture
{
    /// <summary>A CIFAR-style <see cref="ResNet"/> (ResNet-18 or the compact 16/32/64 variant).</summary>
    ResNet,
    /// <summary>The plain <see cref="SmallCnn"/>.</summary>
    SmallCnn,
}

/// <summary>Activation functions a <see cref="ClassifierSpec"/> can use at every call site.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0).</summary>
    ReLU,
    /// <summary>Softplus with <see cref="ClassifierSpec.SoftplusBeta"/> (seed 004 uses beta 3).</summary>
    Softplus,
}

/// <summary>
/// A serialisable description of a classifier: what model files store next to the weights so the network can be
/// rebuilt. Input normalisation (mean, std) is part of the model, so it takes images in [0, 1].
/// </summary>
public sealed record ClassifierSpec
{
    /// <summary>The architecture.</summary>
    public ClassifierArchitecture Architecture { get; init; } = ClassifierArchitecture.ResNet;

    /// <summary>Input channels (1 gray, 3 RGB).</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Number of classes.</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Width of the first stage (ResNet: 64 for ResNet-18, 16 for the compact one; SmallCnn: its base width).</summary>
    public int BaseWidth { get; init; } = 64;

    /// <summary>ResNet blocks per stage ([2,2,2,2] for ResNet-18); ignored by SmallCnn.</summary>
    public int[] BlocksPerStage { get; init; } = [2, 2, 2, 2];

    /// <summary>The activation at every call site.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.ReLU;

    /// <summary>Softplus sharpness when <see cref="Activation"/> is Softplus.</summary>
    public double SoftplusBeta { get; init; } = 3;

    /// <summary>Per-channel input mean applied inside the model; null for none.</summary>
    public float[]? Mean { get; init; }

    /// <summary>Per-channel input std applied inside the model; null for none.</summary>
    public float[]? Std { get; init; }

    /// <summary>CIFAR ResNet-18.</summary>
    public static ClassifierSpec ResNet18(int numClasses = 10, int inputChannels = 3) =>
        new() { NumClasses = numClasses, InputChannels = inputChannels };

    /// <summary>The compact 3-stage ResNet (16/32/64, one block per stage): fast on a CPU.</summary>
    public static ClassifierSpec CompactResNet(int numClasses = 10, int inputChannels = 1, int blocksPerStage = 1) =>
        new() { NumClasses = numClasses, InputChannels = inputChannels, BaseWidth = 16, BlocksPerStage = [blocksPerStage, blocksPerStage, blocksPerStage] };

    /// <summary>The small plain CNN.</summary>
    public static ClassifierSpec SmallCnn(int numClasses = 10, int inputChannels = 1, int width = 16) =>
        new() { Architecture = ClassifierArchitecture.SmallCnn, NumClasses = numClasses, InputChannels = inputChannels, BaseWidth = width };

    /// <summary>This spec with normalisation inside the model.</summary>
    public ClassifierSpec WithNormalization(float[] mean, float[] std) => this with { Mean = mean, Std = std };

    /// <summary>This spec with Softplus(beta) at every activation call site.</summary>
    public ClassifierSpec WithSoftplus(double beta = 3) => this with { Activation = ActivationKind.Softplus, SoftplusBeta = beta };

    /// <summary>Builds a freshly initialised network.</summary>
    public ConvClassifier Build(Generator? generator = null)
    {
        Func<Activation> activation = Activation == ActivationKind.Softplus
            ? () => new Softplus(SoftplusBeta)
            : () => new ReLU();
        ConvClassifier net = Architecture switch
        {
            ClassifierArchitecture.ResNet => new ResNet(new ResNetOptions
            {
                InputChannels = InputChannels, NumClasses = NumClasses, BaseWidth = BaseWidth, BlocksPerStage = BlocksPerStage,
                ActivationFactory = activation,
            }, generator),
            ClassifierArchitecture.SmallCnn => new SmallCnn(InputChannels, NumClasses, BaseWidth, activation, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(Architecture)),
        };
        if (Mean is null && Std is null)
        {
            return net;
        }

        if (Mean is null || Std is null || Mean.Length != InputChannels)
        {
            net.Dispose();
            throw new ArgumentException($"Mean and Std must both be given with {InputChannels} values.");
        }

        return new NormalizedClassifier(net, Mean, Std);
    }
}
