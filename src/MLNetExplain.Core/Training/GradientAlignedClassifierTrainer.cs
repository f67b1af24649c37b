using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// Trains a classifier whose input gradients are locally aligned (seed 004) with <see cref="GradientAlignment"/>:
/// each step draws one perturbation per image and minimises CE + lambdaL2 * l2 + lambdaCos * cosd. Defaults follow
/// RobustAGA: AdamW (lr 1e-3, weight decay 1e-2), epsilon 4/255, lambdaL2 = lambdaCos = 1, uniform perturbation,
/// detached source gradient. RobustAGA trains Softplus(beta = 3) networks (<see cref="ClassifierSpec.WithSoftplus"/>):
/// with ReLU the second-order term vanishes almost everywhere.
/// </summary>
/// <remarks>
/// For a <see cref="NormalizedClassifier"/>, gradients are taken in its normalised input space (RobustAGA's data are
/// normalised) and epsilon, given in [0, 1] pixel units, is divided by each channel's std; for other models they
/// are taken in the model's input space.
/// </remarks>
public sealed class GradientAlignedClassifierTrainer : ClassifierTrainer
{
    /// <summary>Creates the trainer.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public GradientAlignedClassifierTrainer(Options? options = null) : base(options ?? new Options())
    {
    }

    /// <inheritdoc />
    protected override (Tensor Loss, Tensor Logits) ComputeLoss<TModel>(TModel model, Tensor images, Tensor labels, Generator generator)
    {
        var o = (Options)TrainerOptions;
        Func<Tensor, Tensor> logits = model.call;
        var inputs = images;
        var epsilon = full([1, images.shape[1], 1, 1], o.Epsilon, images.dtype, images.device);
        if (model is NormalizedClassifier normalized)
        {
            inputs = normalized.Normalize(images);
            epsilon = epsilon / normalized.Std.to(images.device).to_type(images.dtype);
            logits = normalized.Net.call;
        }

        var noise = o.Perturbation == AlignmentPerturbation.Uniform
            ? rand(inputs.shape, inputs.dtype, inputs.device, generator: generator) * 2 - 1
            : randn(inputs.shape, inputs.dtype, inputs.device, generator: generator);
        var terms = GradientAlignment.Loss(logits, inputs, labels, noise * epsilon, o.LambdaL2, o.LambdaCos, o.DetachSourceGradient);
        return (terms.Total, terms.Logits);
    }

    /// <summary>Standard training's settings (with RobustAGA's optimiser) plus the regulariser's.</summary>
    public new sealed record Options : ClassifierTrainer.Options
    {
        /// <summary>Creates options with RobustAGA's optimiser: AdamW, lr 1e-3, weight decay 1e-2.</summary>
        public Options()
        {
            Optimizer = OptimizerKind.AdamW;
            LearningRate = 1e-3;
            WeightDecay = 1e-2;
        }

        /// <summary>Perturbation size in [0, 1] pixel units. Default 4/255 (RobustAGA's eps 4 on the 0-255 scale).</summary>
        public double Epsilon { get; init; } = 4.0 / 255;

        /// <summary>Weight of the squared L2 gradient difference. Default 1.</summary>
        public double LambdaL2 { get; init; } = 1.0;

        /// <summary>Weight of the cosine distance. Default 1.</summary>
        public double LambdaCos { get; init; } = 1.0;

        /// <summary>How delta is drawn. Default uniform.</summary>
        public AlignmentPerturbation Perturbation { get; init; } = AlignmentPerturbation.Uniform;

        /// <summary>Detach the clean-input gradient (RobustAGA's default), so only g_r carries second-order terms. Default true.</summary>
        public bool DetachSourceGradient { get; init; } = true;

        /// <inheritdoc />
        public override void Validate()
        {
            base.Validate();
            Require(Epsilon >= 0 && double.IsFinite(Epsilon), nameof(Epsilon), $"must be finite and >= 0; got {Epsilon}");
            Require(LambdaL2 >= 0 && double.IsFinite(LambdaL2), nameof(LambdaL2), $"must be finite and >= 0; got {LambdaL2}");
            Require(LambdaCos >= 0 && double.IsFinite(LambdaCos), nameof(LambdaCos), $"must be finite and >= 0; got {LambdaCos}");
            Require(Enum.IsDefined(Perturbation), nameof(Perturbation), $"unknown value {(int)Perturbation}");
        }
    }
}
