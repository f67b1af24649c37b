using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// A serialisable description of a classifier: what model files store next to the weights so that the network
/// can be rebuilt. With <see cref="Mean"/> and <see cref="Std"/> the normalisation is part of the model (a
/// <see cref="NormalizedClassifier"/>), which then takes images in [0, 1].
/// </summary>
public sealed record ClassifierSpec
{
    /// <summary>The architecture. Default ResNet.</summary>
    public ClassifierArchitecture Architecture { get; init; } = ClassifierArchitecture.ResNet;

    /// <summary>Input channels (1 grey, 3 RGB). Default 3.</summary>
    public int InputChannels { get; init; } = 3;

    /// <summary>Number of classes. Default 10.</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Width of the first stage (ResNet-18: 64, compact ResNet: 16; SmallCnn: its base width). Default 64.</summary>
    public int BaseWidth { get; init; } = 64;

    /// <summary>ResNet blocks per stage (ResNet-18: [2, 2, 2, 2]); ignored by SmallCnn.</summary>
    public IReadOnlyList<int> BlocksPerStage { get; init; } = [2, 2, 2, 2];

    /// <summary>The activation at every call site. Default ReLU.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.ReLU;

    /// <summary>Softplus sharpness when <see cref="Activation"/> is Softplus. Default 3 (seed 004).</summary>
    public double SoftplusBeta { get; init; } = 3;

    /// <summary>Per-channel input mean applied inside the model; null for none.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel input standard deviation applied inside the model; null for none.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>CIFAR ResNet-18 (11.2M parameters with 10 classes).</summary>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="inputChannels">Input channels.</param>
    public static ClassifierSpec ResNet18(int numClasses = 10, int inputChannels = 3) =>
        new() { NumClasses = numClasses, InputChannels = inputChannels };

    /// <summary>The compact 3-stage ResNet (16/32/64): fast on a CPU.</summary>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="inputChannels">Input channels.</param>
    /// <param name="blocksPerStage">Blocks per stage.</param>
    public static ClassifierSpec CompactResNet(int numClasses = 10, int inputChannels = 1, int blocksPerStage = 1) =>
        new() { NumClasses = numClasses, InputChannels = inputChannels, BaseWidth = 16, BlocksPerStage = [blocksPerStage, blocksPerStage, blocksPerStage] };

    /// <summary>The small plain CNN.</summary>
    /// <param name="numClasses">Outputs.</param>
    /// <param name="inputChannels">Input channels.</param>
    /// <param name="width">Channels of the first stage.</param>
    public static ClassifierSpec SmallCnn(int numClasses = 10, int inputChannels = 1, int width = 16) =>
        new() { Architecture = ClassifierArchitecture.SmallCnn, NumClasses = numClasses, InputChannels = inputChannels, BaseWidth = width, BlocksPerStage = [] };

    /// <summary>This spec with per-channel normalisation inside the model.</summary>
    /// <param name="mean">One mean per input channel.</param>
    /// <param name="std">One positive standard deviation per input channel.</param>
    public ClassifierSpec WithNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std) => this with { Mean = [.. mean], Std = [.. std] };

    /// <summary>This spec with Softplus(<paramref name="beta"/>) at every activation call site.</summary>
    /// <param name="beta">Sharpness; seed 004 uses 3.</param>
    public ClassifierSpec WithSoftplus(double beta = 3) => this with { Activation = ActivationKind.Softplus, SoftplusBeta = beta };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Architecture))
        {
            throw new ArgumentException($"Unknown architecture {(int)Architecture}.", nameof(Architecture));
        }

        if (!Enum.IsDefined(Activation))
        {
            throw new ArgumentException($"Unknown activation {(int)Activation}.", nameof(Activation));
        }

        Require(InputChannels >= 1, nameof(InputChannels), $"must be at least 1; got {InputChannels}");
        Require(NumClasses >= 1, nameof(NumClasses), $"must be at least 1; got {NumClasses}");
        Require(BaseWidth >= 1, nameof(BaseWidth), $"must be at least 1; got {BaseWidth}");
        Require(Activation != ActivationKind.Softplus || (SoftplusBeta > 0 && double.IsFinite(SoftplusBeta)), nameof(SoftplusBeta),
            $"must be positive and finite; got {SoftplusBeta}");
        if (Architecture == ClassifierArchitecture.ResNet)
        {
            Require(BlocksPerStage is { Count: >= 1 and <= 16 } && BlocksPerStage.All(b => b >= 1), nameof(BlocksPerStage),
                $"must list 1 to 16 stages of at least one block; got [{string.Join(", ", BlocksPerStage ?? [])}]");
        }

        Require((Mean is null) == (Std is null), nameof(Std), "Mean and Std must be given together");
        Require(Mean is null || (Mean.Count == InputChannels && Std!.Count == InputChannels), nameof(Mean),
            $"Mean and Std need {InputChannels} values (one per input channel)");
        Require(Std is null || Std.All(s => s > 0 && float.IsFinite(s)), nameof(Std), "every std must be positive and finite");
    }

    /// <summary>
    /// Builds a freshly initialised network with PyTorch's default initialisation (convolutions and linear layers:
    /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as kaiming_uniform with a = sqrt(5); BN weight 1, bias 0).
    /// </summary>
    /// <param name="generator">Draws the initial weights, in parameter order; null draws from libtorch's global generator.</param>
    public ConvClassifier Build(Generator? generator = null)
    {
        Validate();
        var activation = Activations.Factory(Activation, SoftplusBeta);
        ConvClassifier net = Architecture switch
        {
            ClassifierArchitecture.ResNet => new ResNet(NumClasses, InputChannels, BaseWidth, BlocksPerStage, activation),
            _ => new SmallCnn(InputChannels, NumClasses, BaseWidth, activation),
        };
        if (Mean is not null)
        {
            net = new NormalizedClassifier(net, Mean, Std!);
        }

        if (generator is not null)
        {
            DefaultInitialization.Apply(net, generator);
        }

        return net;
    }

    /// <summary>Value equality, comparing the lists by content.</summary>
    /// <param name="other">The other spec.</param>
    public bool Equals(ClassifierSpec? other) =>
        other is not null
        && Architecture == other.Architecture && InputChannels == other.InputChannels && NumClasses == other.NumClasses
        && BaseWidth == other.BaseWidth && BlocksPerStage.SequenceEqual(other.BlocksPerStage)
        && Activation == other.Activation && SoftplusBeta.Equals(other.SoftplusBeta)
        && SameList(Mean, other.Mean) && SameList(Std, other.Std);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Architecture, InputChannels, NumClasses, BaseWidth, BlocksPerStage.Count, Activation, SoftplusBeta);

    private static bool SameList(IReadOnlyList<float>? a, IReadOnlyList<float>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"ClassifierSpec.{name}: {message}.", name);
        }
    }
}
