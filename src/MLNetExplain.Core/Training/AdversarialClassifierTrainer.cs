using MLNetExplain.Attacks;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// PGD adversarial training (Madry et al. 2018; the robustness library's recipe): every step replaces the batch by
/// PGD adversarial examples, computed with the model in eval mode (as the robustness library's
/// <c>AttackerModel</c> does), and minimises the cross-entropy on them in training mode. This trains the robust
/// counterpart f' whose saliency maps seed 001 aligns explanations to.
/// </summary>
public sealed class AdversarialClassifierTrainer : ClassifierTrainer
{
    private readonly PgdAttack _attack;

    /// <summary>Creates the trainer.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public AdversarialClassifierTrainer(Options? options = null) : base(options ?? new Options())
    {
        _attack = new PgdAttack(((Options)TrainerOptions).Attack);
    }

    /// <inheritdoc />
    protected override (Tensor Loss, Tensor Logits) ComputeLoss<TModel>(TModel model, Tensor images, Tensor labels, Generator generator)
    {
        var adversarial = _attack.Perturb(model, images, labels, generator);
        return base.ComputeLoss(model, adversarial, labels, generator);
    }

    /// <summary>Standard training's settings plus the training attack.</summary>
    public new sealed record Options : ClassifierTrainer.Options
    {
        /// <summary>
        /// The training attack. Default: L2, epsilon 1.5 (seed 001's robust counterpart), 7 steps (the robustness
        /// library's attack-steps), step 2.5 epsilon / steps, no random start, best iterate, eval mode.
        /// </summary>
        public PgdAttackOptions Attack { get; init; } = new() { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 7 };

        /// <inheritdoc />
        public override void Validate()
        {
            base.Validate();
            Require(Attack is not null, nameof(Attack), "must be given");
            Attack!.Validate();
        }
    }
}
