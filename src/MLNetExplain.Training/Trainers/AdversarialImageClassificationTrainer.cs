using MLNetExplain.Data;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Trainers;

/// <summary>
/// PGD adversarial training (Madry et al.; the robustness library's recipe): every step replaces the batch by
/// PGD adversarial examples (computed with the model in eval mode) and minimises the cross-entropy on them. The
/// result is the robust counterpart f' whose saliency maps seed 001 aligns explanations to.
/// </summary>
public sealed class AdversarialImageClassificationTrainer : ImageClassificationTrainer
{
    private readonly PgdAttack _attack;

    internal AdversarialImageClassificationTrainer(ExplainContext context, Options options) : base(context, options)
    {
        _attack = new PgdAttack(options.Attack);
    }

    /// <inheritdoc />
    protected override string StageName => "AdversarialImageClassification";

    /// <inheritdoc />
    protected override (Tensor Loss, Tensor Logits) ComputeLoss(ConvClassifier model, Tensor x, Tensor y, Generator generator)
    {
        var adversarial = _attack.Perturb(model, x, y, generator);
        var logits = model.Forward(adversarial);
        return (Functional.CrossEntropy(logits, y), logits);
    }

    /// <summary>Options: those of standard training plus the attack used during training.</summary>
    public new sealed class Options : ImageClassificationTrainer.Options
    {
        /// <summary>The training attack: L2 PGD, epsilon 1.5, 7 steps, step 2.5 * eps / steps, no random start, best iterate.</summary>
        public PgdAttackOptions Attack { get; set; } = new() { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 7 };
    }
}
