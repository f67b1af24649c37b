using MLNetExplain.Models;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// Settings of the <c>reproduce</c> job (seed 001's Tables 1-3 on Fashion-MNIST). The defaults are the full grid,
/// sized to finish in under 2 hours on 2 CPU cores; <see cref="Quick"/> gives a CI-sized run of a few minutes.
/// </summary>
public sealed record ReproduceOptions
{
    /// <summary>Folder for the report, the markdown tables and the checkpoints a rerun resumes from.</summary>
    public string Output { get; init; } = "mlnetexplain-reproduce";

    /// <summary>Training images (of 60000): the models' training set and ROAR's retraining set.</summary>
    public int TrainRows { get; init; } = 10000;

    /// <summary>Test images (of 10000): ROAR's test set, deletion curves, sanity checks.</summary>
    public int TestRows { get; init; } = 2000;

    /// <summary>Epochs of the standard classifier whose SmoothGrad maps are Table 2's "standard" alignment targets.</summary>
    public int StandardEpochs { get; init; } = 5;

    /// <summary>Epochs of PGD-L2 adversarial training of the robust counterpart f'.</summary>
    public int RobustEpochs { get; init; } = 5;

    /// <summary>L2 radius of the training attack (seed 001: 1.5), pixels in [0, 1].</summary>
    public double Epsilon { get; init; } = 1.5;

    /// <summary>PGD steps per adversarial training batch.</summary>
    public int AttackSteps { get; init; } = 7;

    /// <summary>SmoothGrad samples per alignment target and per SmoothGrad map (seed 001: 50).</summary>
    public int Samples { get; init; } = 50;

    /// <summary>Epochs of joint classifier + explainer training (each explained classifier).</summary>
    public int Epochs { get; init; } = 8;

    /// <summary>Weight of the alignment loss (seed 001: 0.35).</summary>
    public double Lambda { get; init; } = 0.35;

    /// <summary>Epochs of each ROAR retraining from scratch.</summary>
    public int RoarEpochs { get; init; } = 4;

    /// <summary>Fractions of pixels removed, in percent (seed 001: 20/40/60/80).</summary>
    public IReadOnlyList<int> Ratios { get; init; } = [20, 40, 60, 80];

    /// <summary>Retrainings per method and ratio (mean and spread are reported).</summary>
    public int RoarSeeds { get; init; } = 2;

    /// <summary>
    /// What ROAR puts in place of removed pixels: the training mean (Hooker et al.; default) or 0, Fashion-MNIST's
    /// black background, so that the removed region's outline does not show the garment's shape.
    /// </summary>
    public ReproduceFill RoarFill { get; init; } = ReproduceFill.Mean;

    /// <summary>
    /// Methods in the tables, by name; null runs the default grid: every method the job knows except AttEXplore and
    /// learned propagation (added after the grid in docs/results.md was recorded, so that the default command still
    /// reproduces that record; about 7 minutes of maps each) and the two block-pooled diagnostic rows (see
    /// <see cref="ReproduceMethods"/>).
    /// </summary>
    public IReadOnlyList<string>? Methods { get; init; }

    /// <summary>Test images the deletion/insertion curves average over.</summary>
    public int CurveRows { get; init; } = 500;

    /// <summary>Test images of the MPRT sanity check (maps shown and correlations averaged).</summary>
    public int SanityRows { get; init; } = 16;

    /// <summary>Rounds of the latency table (each keeps the fastest of 5 runs per method).</summary>
    public int LatencyRounds { get; init; } = 5;

    /// <summary>Seed of every stochastic stage.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>A CI-sized run: small subsets, one epoch, one seed, two ratios.</summary>
    public static ReproduceOptions Quick(string output) => new()
    {
        Output = output, TrainRows = 512, TestRows = 128, StandardEpochs = 1, RobustEpochs = 1, AttackSteps = 2, Samples = 4,
        Epochs = 1, RoarEpochs = 1, Ratios = [20, 60], RoarSeeds = 1, CurveRows = 64, SanityRows = 4, LatencyRounds = 1,
    };

    /// <summary>The architecture of every model here: the demo's small CNN with Fashion-MNIST's normalisation inside.</summary>
    public static ClassifierSpec Spec { get; } = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.2860f], [0.3530f]);

    /// <summary>
    /// The settings the models and maps depend on, as recorded in the folder's settings.json: the table's methods,
    /// ratios, ROAR seeds and fill, and the report-only sizes, are left out, so a rerun may add methods, ratios,
    /// seeds or the other fill and reuse everything else (ROAR cells are kept per method, ratio and seed, in one file
    /// per fill).
    /// </summary>
    internal ReproduceOptions Fingerprint() => this with
    {
        Output = "", Methods = null, Ratios = [], RoarSeeds = 0, RoarFill = ReproduceFill.Mean, CurveRows = 0, SanityRows = 0, LatencyRounds = 0,
    };

    /// <summary>The file of finished ROAR cells for this fill.</summary>
    internal string RoarCellsFile => RoarFill == ReproduceFill.Mean ? "roar-cells.json" : "roar-cells-zero.json";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Output))
        {
            throw new ArgumentException("The output folder must be named.", nameof(Output));
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(TrainRows), TrainRows), (nameof(TestRows), TestRows), (nameof(StandardEpochs), StandardEpochs),
                     (nameof(RobustEpochs), RobustEpochs), (nameof(AttackSteps), AttackSteps), (nameof(Samples), Samples),
                     (nameof(Epochs), Epochs), (nameof(RoarEpochs), RoarEpochs), (nameof(RoarSeeds), RoarSeeds),
                     (nameof(CurveRows), CurveRows), (nameof(SanityRows), SanityRows), (nameof(LatencyRounds), LatencyRounds),
                 })
        {
            if (value < 1)
            {
                throw new ArgumentException($"{name} must be at least 1; got {value}.", name);
            }
        }

        if (Ratios.Count == 0 || Ratios.Any(r => r is <= 0 or >= 100))
        {
            throw new ArgumentException($"Ratios must be percentages strictly between 0 and 100; got [{string.Join(", ", Ratios)}].", nameof(Ratios));
        }

        if (!(Epsilon > 0) || double.IsInfinity(Epsilon) || !(Lambda >= 0) || double.IsInfinity(Lambda))
        {
            throw new ArgumentException($"Epsilon must be positive and Lambda non-negative (both finite); got {Epsilon} and {Lambda}.", nameof(Epsilon));
        }

        if (!Enum.IsDefined(RoarFill))
        {
            throw new ArgumentException($"RoarFill must be Mean or Zero; got {RoarFill}.", nameof(RoarFill));
        }

        if (Methods is { } methods)
        {
            var unknown = methods.Where(m => !ReproduceMethods.Names.Contains(m, StringComparer.OrdinalIgnoreCase)).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"Unknown method(s) {string.Join(", ", unknown)}; known: {string.Join(", ", ReproduceMethods.Names)}.", nameof(Methods));
            }
        }
    }
}

/// <summary>The replacement value of the reproduce job's ROAR cells.</summary>
public enum ReproduceFill
{
    /// <summary>The training images' mean (Hooker et al.'s ROAR).</summary>
    Mean,

    /// <summary>0, the black background of Fashion-MNIST.</summary>
    Zero,
}
