using MLNetExplain.Data;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Trainers;

/// <summary>How the gradient-alignment regulariser perturbs the input (RobustAGA's --perturb).</summary>
public enum AlignmentPerturbation
{
    /// <summary>delta = eps * U(-1, 1): uniform in the L-inf box (the default).</summary>
    Uniform,
    /// <summary>delta = eps * N(0, 1).</summary>
    Gaussian,
}

/// <summary>The parts of the gradient-alignment loss of one batch.</summary>
public sealed record GradientAlignmentTerms(Tensor Total, Tensor CrossEntropy, Tensor L2, Tensor CosineDistance, Tensor Logits);

/// <summary>
/// The local gradient alignment loss of seed 004 (Joo et al., AAAI'23, "l2 + cosd"), following the RobustAGA
/// code: s(x) = sum_b f(x_b)[y_b] (the target logit), g = grad_x s(x), g_r = grad_x s(x + delta) with the graph
/// kept (second-order: the parameters' gradient flows through g_r), g detached by default;
/// loss = CE(f(x), y) + lambdaL2 * mean_b ||g_b - g_r,b||_2^2 + lambdaCos * (1 - mean_b cos(g_b, g_r,b)) / 2.
/// Gradients are taken in the model's normalised input space, as the reference code's data are normalised.
/// </summary>
public static class GradientAlignment
{
    /// <summary>
    /// Computes the loss for inputs <paramref name="z"/> (already in the space the gradients are taken in) and a
    /// given perturbation <paramref name="delta"/>; <paramref name="logits"/> maps inputs to logits.
    /// </summary>
    public static GradientAlignmentTerms Loss(Func<Tensor, Tensor> logits, Tensor z, Tensor y, Tensor delta,
        double lambdaL2, double lambdaCos, bool detachSourceGradient = true)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = Torch.Torch.NewDisposeScope();
        var x = z.Detach().RequiresGrad_();
        var output = logits(x);
        var crossEntropy = Functional.CrossEntropy(output, y);
        var g = TargetLogitGradient(output, x, y, createGraph: !detachSourceGradient);
        if (detachSourceGradient)
        {
            g = g.Detach();
        }

        var xr = (x.Detach() + delta).Detach().RequiresGrad_();
        var gr = TargetLogitGradient(logits(xr), xr, y, createGraph: true);
        var a = g.Flatten(1);
        var b = gr.Flatten(1);
        var l2 = (a - b).Square().Sum(1).Mean();
        var cosine = ((a * b).Sum(1) / (a.Norm(2, [1]) * b.Norm(2, [1])).Clamp(min: 1e-8)).Mean();
        var cosineDistance = (1 - cosine) / 2;
        var total = crossEntropy + l2 * lambdaL2 + cosineDistance * lambdaCos;
        return new GradientAlignmentTerms(total.MoveToOuterDisposeScope(), crossEntropy.MoveToOuterDisposeScope(),
            l2.MoveToOuterDisposeScope(), cosineDistance.MoveToOuterDisposeScope(), output.MoveToOuterDisposeScope());
    }

    // d/dx of the summed target logits, keeping the forward graph for the cross-entropy's backward.
    private static Tensor TargetLogitGradient(Tensor output, Tensor x, Tensor y, bool createGraph)
    {
        var target = output.Gather(1, y.Unsqueeze(1)).Sum();
        return Autograd.Grad([target], [x], retainGraph: true, createGraph: createGraph)[0]!;
    }
}

/// <summary>
/// Trains a classifier whose input gradients are locally aligned (seed 004) with <see cref="GradientAlignment"/>.
/// Defaults follow RobustAGA: Softplus(beta = 3) activations, AdamW (lr 1e-3, weight decay 1e-2), epsilon 4/255,
/// lambdaL2 = lambdaCos = 1, uniform perturbation, detached source gradient.
/// </summary>
public sealed class GradientAlignedImageClassificationTrainer : ImageClassificationTrainer
{
    private readonly Options _options;

    internal GradientAlignedImageClassificationTrainer(ExplainContext context, Options options) : base(context, options)
    {
        _options = options;
    }

    /// <inheritdoc />
    protected override string StageName => "GradientAlignedImageClassification";

    /// <summary>The compact ResNet with Softplus(beta = 3) at every activation, as seed 004 trains.</summary>
    protected override ClassifierSpec DefaultModel(int classes, int channels) =>
        ClassifierSpec.CompactResNet(classes, channels).WithSoftplus(3);

    /// <inheritdoc />
    protected override (Tensor Loss, Tensor Logits) ComputeLoss(ConvClassifier model, Tensor x, Tensor y, Generator generator)
    {
        // Work in the network's normalised space when normalisation is part of the model, as the reference does;
        // epsilon (pixel units / 255) is then divided by each channel's std.
        Func<Tensor, Tensor> logits = model.Forward;
        Tensor z = x;
        Tensor epsilon = Tensor.Full([1, x.Size(1), 1, 1], _options.Epsilon, x.Type, x.Device);
        if (model is NormalizedClassifier normalized)
        {
            var (mean, std) = NormalizationOf(normalized, x);
            z = (x - mean) / std;
            epsilon = epsilon / std;
            logits = normalized.Net.Forward;
        }

        var noise = _options.Perturbation == AlignmentPerturbation.Uniform ? z.RandLike(generator) * 2 - 1 : z.RandnLike(generator);
        var terms = GradientAlignment.Loss(logits, z, y, noise * epsilon, _options.LambdaL2, _options.LambdaCos, _options.DetachSourceGradient);
        return (terms.Total, terms.Logits);
    }

    private static (Tensor Mean, Tensor Std) NormalizationOf(NormalizedClassifier model, Tensor like)
    {
        var state = model.StateDict();
        return (state["mean"].To(like.Device), state["std"].To(like.Device));
    }

    /// <summary>Options: standard training's plus the regulariser's.</summary>
    public new sealed class Options : ImageClassificationTrainer.Options
    {
        /// <summary>Creates options with RobustAGA's defaults (AdamW, lr 1e-3, weight decay 1e-2).</summary>
        public Options()
        {
            Optimizer = OptimizerKind.AdamW;
            LearningRate = 1e-3;
            WeightDecay = 1e-2;
        }

        /// <summary>Perturbation size in [0, 1] pixel units (RobustAGA's eps 4 on the 0-255 scale).</summary>
        public double Epsilon { get; set; } = 4.0 / 255;

        /// <summary>Weight of the squared L2 gradient difference.</summary>
        public double LambdaL2 { get; set; } = 1.0;

        /// <summary>Weight of the cosine distance.</summary>
        public double LambdaCos { get; set; } = 1.0;

        /// <summary>How delta is drawn.</summary>
        public AlignmentPerturbation Perturbation { get; set; } = AlignmentPerturbation.Uniform;

        /// <summary>Detach the clean-input gradient (RobustAGA's default), so only g_r carries second-order terms.</summary>
        public bool DetachSourceGradient { get; set; } = true;
    }
}
