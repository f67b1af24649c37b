using MLNetExplain.Vision.Models;

namespace MLNetExplain.Cli.Demo;

/// <summary>Settings of the demo job; the defaults finish in about a quarter of an hour on 2 CPU cores.</summary>
public sealed record DemoOptions
{
    /// <summary>Folder for the grid, report and saved pipeline.</summary>
    public string Output { get; init; } = "mlnetexplain-demo";

    /// <summary>Training images used (of 60000).</summary>
    public int TrainRows { get; init; } = 20000;

    /// <summary>Test images used for accuracy, deletion curves and the grid (of 10000).</summary>
    public int TestRows { get; init; } = 2000;

    /// <summary>Epochs of PGD adversarial training of the robust counterpart f'.</summary>
    public int RobustEpochs { get; init; } = 5;

    /// <summary>L2 budget of the training attack (seed 001 uses 1.5).</summary>
    public double Epsilon { get; init; } = 1.5;

    /// <summary>PGD steps per training example (seed 001 uses 20; 7 keeps the demo short).</summary>
    public int AttackSteps { get; init; } = 7;

    /// <summary>SmoothGrad samples per robust attribution (seed 001 uses 50).</summary>
    public int Samples { get; init; } = 50;

    /// <summary>Epochs of joint classifier and explainer training.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Weight of the alignment loss (seed 001 uses 0.35).</summary>
    public double Lambda { get; init; } = 0.35;

    /// <summary>The architecture of f and f'.</summary>
    public DemoModel Model { get; init; } = DemoModel.SmallCnn;

    /// <summary>Seed of every stochastic stage.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Images in the PNG grid.</summary>
    public int GridImages { get; init; } = 12;

    /// <summary>The classifier spec for Fashion-MNIST (1 channel, 10 classes, normalisation inside).</summary>
    public ClassifierSpec Spec => (Model switch
    {
        DemoModel.SmallCnn => ClassifierSpec.SmallCnn(10, 1, 16),
        DemoModel.CompactResNet => ClassifierSpec.CompactResNet(10, 1),
        DemoModel.ResNet18 => ClassifierSpec.ResNet18(10, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(Model)),
    }).WithNormalization([0.2860f], [0.3530f]);
}

/// <summary>Architectures the demo can train.</summary>
public enum DemoModel
{
    /// <summary>The small plain CNN (fast on a CPU).</summary>
    SmallCnn,
    /// <summary>The compact 3-stage ResNet.</summary>
    CompactResNet,
    /// <summary>CIFAR ResNet-18 (slow on a CPU).</summary>
    ResNet18,
}
