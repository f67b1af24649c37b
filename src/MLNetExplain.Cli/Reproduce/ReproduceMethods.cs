using MLNetExplain.Attribution;
using MLNetExplain.Explainer;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// The methods the job compares, with seed 001's settings where it gives them (SmoothGrad 50 samples, IG and
/// DeepLift with zero baselines). Every method explains f (the classifier trained with the robust-aligned
/// explainer) for its predicted class, except the robust attribution (SmoothGrad of f', also for f's prediction)
/// and the standard-aligned explainer of Table 2 (its own classifier's head).
/// </summary>
internal static class ReproduceMethods
{
    /// <summary>Every method the job knows, in table order.</summary>
    public static IReadOnlyList<ReproduceMethod> All { get; } =
    [
        new("Random", "pixels ranked uniformly at random (ROAR's baseline)", null),
        new("Saliency", "|gradient| of f's predicted logit", (m, _) => new Saliency(m.Explained)),
        new("SmoothGrad", "SmoothGrad of f, noise level 0.15, |gradient| per sample", (m, o) => SmoothGradOf(m.Explained, o)),
        new("Robust attribution", "SmoothGrad of the robust f' for f's prediction (seed 001's targets)",
            (m, o) => SmoothGradOf(m.Robust, o)),
        new("Input x Gradient", "x times the gradient of f's predicted logit", (m, _) => new InputXGradient(m.Explained)),
        new("Integrated Gradients", "zero baseline, 50 Gauss-Legendre steps (Captum's default)", (m, _) => new IntegratedGradients(m.Explained)),
        new("GradientSHAP", "5 samples, baselines drawn from N(0, 0.001^2) (seed 001)",
            (m, o) => new BaselineDistribution(new GradientShap(m.Explained, new GradientShapOptions { Seed = o.Seed }), [1, 28, 28], 20, 0.001, o.Seed)),
        new("DeepLift", "Rescale rule, zero baseline (seed 001), exact max-pool rule", (m, _) => new DeepLift(m.Explained)),
        new("Guided Backprop", "ReLUs pass back positive gradients where their input was positive", (m, _) => new GuidedBackprop(m.Explained)),
        new("Deconvolution", "ReLUs pass back positive gradients", (m, _) => new Deconvolution(m.Explained)),
        new("Grad-CAM", "f's last feature map, upsampled (nearest)", (m, _) => new GradCam(m.Explained.Classifier)),
        new("Guided Grad-CAM", "Guided Backprop times Grad-CAM (ReLU)", (m, _) => new GuidedGradCam(m.Explained.Classifier)),
        new("Occlusion", "window 1x4x4, stride 2, zero baseline (seed 001's (3,4,4) on one channel)",
            (m, _) => new Occlusion(m.Explained, new OcclusionOptions { WindowSize = 4, Strides = [2], PerturbationsPerEval = 4 })),
        new("Feature Ablation", "4x4 superpixels set to 0", (m, _) => new FeatureAblation(m.Explained, new FeatureAblationOptions { SuperpixelSize = 4, PerturbationsPerEval = 8 })),
        new("LIME", "25 samples over 4x4 superpixels, Lasso alpha 0.01 (Captum's defaults)", (m, o) => new Lime(m.Explained, new LimeOptions { Seed = o.Seed, PerturbationsPerEval = 5 })),
        new("KernelSHAP", "25 samples over 4x4 superpixels (Captum's defaults)", (m, o) => new KernelShap(m.Explained, new KernelShapOptions { Seed = o.Seed, PerturbationsPerEval = 5 })),
        new("AttEXplore", "seed 003: 10 steps x 20 frequency-augmented samples, eps 16/255 (the reference's defaults)",
            (m, o) => new AttExplore(m.Explained, new AttExploreOptions { Seed = o.Seed }), InDefaultGrid: false),
        new("Learned propagation", "seed 002: per-image ReLU backward plugins, 40 Adam steps (the reference's settings)",
            (m, _) => new LearnedPropagation(m.Explained), InDefaultGrid: false),
        new("Explainer", "f's explainer head aligned to robust attributions (seed 001)", (m, _) => new ExplainerAttribution(m.Explained)),
        new("Explainer (standard targets)", "an explainer aligned to a standard model's SmoothGrad (Table 2)", (m, _) => new ExplainerAttribution(m.ExplainedStandard)),
        new("Block-pooled SmoothGrad", "SmoothGrad's |map| averaged over 4x4 blocks (a diagnostic of ROAR, not a method)",
            (m, o) => new BlockPooled(SmoothGradOf(m.Explained, o), 4), InDefaultGrid: false),
        new("Block-pooled explainer", "the explainer's map averaged over 4x4 blocks (a diagnostic of ROAR, not a method)",
            (m, _) => new BlockPooled(new ExplainerAttribution(m.Explained), 4), InDefaultGrid: false),
    ];

    /// <summary>The names, for option validation.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(m => m.Name)];

    // Seed 001's SmoothGrad (noise level 0.15) with the job's sample count and seed, for every row built on it.
    private static SmoothGrad SmoothGradOf(nn.Module<Tensor, Tensor> model, ReproduceOptions o) =>
        new(model, new SmoothGradOptions { Samples = o.Samples, Seed = o.Seed });

    /// <summary>The methods <paramref name="names"/> selects (the default grid when null), in table order.</summary>
    public static IReadOnlyList<ReproduceMethod> Select(IReadOnlyList<string>? names) =>
        names is null ? [.. All.Where(m => m.InDefaultGrid)] : [.. All.Where(m => names.Contains(m.Name, StringComparer.OrdinalIgnoreCase))];
}
