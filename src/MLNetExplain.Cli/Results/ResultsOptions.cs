namespace MLNetExplain.Cli.Results;

/// <summary>Settings of the results job; the defaults take about 10-15 minutes on 2 CPU cores.</summary>
public sealed record ResultsOptions
{
    /// <summary>Epochs of standard training.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Epochs of PGD-7 L2 adversarial training at epsilon 1.5.</summary>
    public int RobustEpochs { get; init; } = 4;

    /// <summary>Training images (of 60000).</summary>
    public int TrainRows { get; init; } = 60000;

    /// <summary>Test images for clean accuracy (of 10000).</summary>
    public int TestRows { get; init; } = 10000;

    /// <summary>Test images attacked with PGD-20 (the first ones of the test set).</summary>
    public int EvalRows { get; init; } = 2000;

    /// <summary>Seed of every stochastic stage.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The markdown file the table is written to.</summary>
    public string Output { get; init; } = "mlnetexplain-results.md";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(Epochs), Epochs), (nameof(RobustEpochs), RobustEpochs), (nameof(TrainRows), TrainRows),
                     (nameof(TestRows), TestRows), (nameof(EvalRows), EvalRows),
                 })
        {
            if (value < 1)
            {
                throw new ArgumentException($"{name} must be at least 1; got {value}.", name);
            }
        }

        if (string.IsNullOrWhiteSpace(Output))
        {
            throw new ArgumentException("The output file must be named.", nameof(Output));
        }
    }
}
