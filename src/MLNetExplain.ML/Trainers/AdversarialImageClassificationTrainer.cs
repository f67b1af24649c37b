using MLNetExplain.Attacks;
using MLNetExplain.Training;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// Adversarial training (Madry et al.): every batch is replaced by its PGD adversarial examples before the step,
/// which trains the robust counterpart f' of seed 001. Same columns and outputs as
/// <see cref="ImageClassificationTrainer"/>; reach it through
/// <c>mlContext.MulticlassClassification.Trainers.AdversarialImageClassification(...)</c>.
/// </summary>
public sealed class AdversarialImageClassificationTrainer : ImageClassificationTrainer
{
    internal AdversarialImageClassificationTrainer(Options options) : base(options)
    {
    }

    /// <inheritdoc />
    protected override string Stage => "AdversarialImageClassification";

    private new Options TrainerOptions => (Options)base.TrainerOptions;

    private protected override ClassifierTrainer.Options CoreOptions() =>
        Common(new AdversarialClassifierTrainer.Options { Attack = TrainerOptions.Attack });

    private protected override ClassifierTrainer CreateTrainer() => new AdversarialClassifierTrainer((AdversarialClassifierTrainer.Options)CoreOptions());

    /// <summary>Settings: those of <see cref="ImageClassificationTrainer.Options"/> and the training attack.</summary>
    public new sealed class Options : ImageClassificationTrainer.Options
    {
        /// <summary>The attack that makes each batch's adversarial examples (seed 001: PGD L2, eps 1.5 on [0, 1] pixels).</summary>
        public PgdAttackOptions Attack { get; set; } = new() { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 7 };
    }
}
