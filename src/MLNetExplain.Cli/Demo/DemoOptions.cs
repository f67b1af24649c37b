using MLNetExplain.Models;

namespace MLNetExplain.Cli.Demo;

/// <summary>Settings of the demo job; the defaults finish in about a quarter of an hour on 2 CPU cores.</summary>
public sealed record DemoOptions
{
    /// <summary>Folder for the grid, the report and the saved pipeline.</summary>
    public string Output { get; init; } = "mlnetexplain-demo";

    /// <summary>Training images used (of 60000).</summary>
    public int TrainRows { get; init; } = 20000;

    /// <summary>Test images used for accuracy, deletion curves and the grid (of 10000).</summary>
    public int TestRows { get; init; } = 2000;

    /// <summary>Epochs of PGD adversarial training of the robust counterpart f'.</summary>
    public int RobustEpochs { get; init; } = 5;

    /// <summary>L2 budget of the training and evaluation attacks, pixels in [0, 1] (seed 001 uses 1.5).</summary>
    public double Epsilon { get; init; } = 1.5;

    /// <summary>PGD steps per training batch (seed 001 uses 20; 7 keeps the demo short).</summary>
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

    /// <summary>Test images attacked with PGD-20 for the robust accuracy of f' (fewer when <see cref="TestRows"/> is smaller).</summary>
    public int AttackedRows { get; init; } = 500;

    /// <summary>Test images the deletion curves average over (fewer when <see cref="TestRows"/> is smaller).</summary>
    public int DeletionRows { get; init; } = 500;

    /// <summary>Rounds of the latency measurement (each times every method 5 times and keeps the fastest).</summary>
    public int LatencyRounds { get; init; } = 15;

    /// <summary>The classifier spec for Fashion-MNIST (1 channel, 10 classes, normalisation inside the model).</summary>
    public ClassifierSpec Spec => (Model switch
    {
        DemoModel.SmallCnn => ClassifierSpec.SmallCnn(10, 1, 16),
        DemoModel.CompactResNet => ClassifierSpec.CompactResNet(10, 1),
        DemoModel.ResNet18 => ClassifierSpec.ResNet18(10, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(Model), Model, "Unknown demo model."),
    }).WithNormalization([0.2860f], [0.3530f]);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Output))
        {
            throw new ArgumentException("The output folder must be named.", nameof(Output));
        }

        foreach (var (name, value, min) in new[]
                 {
                     (nameof(TrainRows), TrainRows, 1), (nameof(TestRows), TestRows, 1), (nameof(RobustEpochs), RobustEpochs, 1),
                     (nameof(AttackSteps), AttackSteps, 1), (nameof(Samples), Samples, 1), (nameof(Epochs), Epochs, 1),
                     (nameof(GridImages), GridImages, 1), (nameof(AttackedRows), AttackedRows, 1), (nameof(DeletionRows), DeletionRows, 1),
                     (nameof(LatencyRounds), LatencyRounds, 1),
                 })
        {
            if (value < min)
            {
                throw new ArgumentException($"{name} must be at least {min}; got {value}.", name);
            }
        }

        if (!(Epsilon > 0) || double.IsInfinity(Epsilon) || !(Lambda >= 0) || double.IsInfinity(Lambda))
        {
            throw new ArgumentException($"Epsilon must be positive and Lambda non-negative (both finite); got {Epsilon} and {Lambda}.", nameof(Epsilon));
        }
    }
}
