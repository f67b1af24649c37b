using MLNetExplain.Models;
using MLNetExplain.Training;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// Local gradient alignment training (seed 004): cross-entropy plus penalties on how far the input-gradient at a
/// perturbed point differs from the one at the input (L2 and cosine distance), a cheaper route to smooth,
/// robust-looking gradients. Same columns and outputs as <see cref="ImageClassificationTrainer"/>; reach it through
/// <c>mlContext.MulticlassClassification.Trainers.GradientAlignedImageClassification(...)</c>.
/// </summary>
public sealed class GradientAlignedImageClassificationTrainer : ImageClassificationTrainer
{
    internal GradientAlignedImageClassificationTrainer(Options options) : base(options)
    {
    }

    /// <inheritdoc />
    protected override string Stage => "GradientAlignedImageClassification";

    private new Options TrainerOptions => (Options)base.TrainerOptions;

    /// <summary>Seed 004 needs a smooth activation for its second derivatives: Softplus(beta = 3) in the default network.</summary>
    private protected override ClassifierSpec DefaultSpec(int classes, int channels) => base.DefaultSpec(classes, channels).WithSoftplus(3);

    private protected override ClassifierTrainer.Options CoreOptions()
    {
        var o = TrainerOptions;
        return Common(new GradientAlignedClassifierTrainer.Options
        {
            Epsilon = o.Epsilon,
            LambdaL2 = o.LambdaL2,
            LambdaCos = o.LambdaCos,
            Perturbation = o.Perturbation,
        });
    }

    private protected override ClassifierTrainer CreateTrainer() =>
        new GradientAlignedClassifierTrainer((GradientAlignedClassifierTrainer.Options)CoreOptions());

    /// <summary>Settings: those of <see cref="ImageClassificationTrainer.Options"/> and the alignment terms.</summary>
    public new sealed class Options : ImageClassificationTrainer.Options
    {
        /// <summary>Seed 004's optimiser (AdamW, lr 1e-3, weight decay 1e-2) instead of the plain trainer's SGD.</summary>
        public Options()
        {
            var core = new GradientAlignedClassifierTrainer.Options();
            Optimizer = core.Optimizer;
            LearningRate = core.LearningRate;
            WeightDecay = core.WeightDecay;
        }

        /// <summary>Radius of the perturbation the gradients are compared at (pixels in [0, 1]).</summary>
        public double Epsilon { get; set; } = new GradientAlignedClassifierTrainer.Options().Epsilon;

        /// <summary>Weight of the L2 distance between the two input-gradients.</summary>
        public double LambdaL2 { get; set; } = new GradientAlignedClassifierTrainer.Options().LambdaL2;

        /// <summary>Weight of the cosine distance between the two input-gradients.</summary>
        public double LambdaCos { get; set; } = new GradientAlignedClassifierTrainer.Options().LambdaCos;

        /// <summary>How the perturbed point is drawn.</summary>
        public AlignmentPerturbation Perturbation { get; set; } = new GradientAlignedClassifierTrainer.Options().Perturbation;
    }
}
