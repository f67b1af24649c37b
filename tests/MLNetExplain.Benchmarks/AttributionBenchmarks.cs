using MLNetExplain.Attribution;
using MLNetExplain.Explainer;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// (g) Every attribution method of the suite, and the explainer's one pass, per call on the CIFAR ResNet-18 (3x32x32)
/// and the demo CNN (1x28x28), eval mode, untrained weights, at batch 1 and the batch size; the peer is the same
/// algorithm written with plain PyTorch (peer_attribution.py; Captum is not installable here). Settings: seed 001's
/// where it gives them (IG: zero baseline, 50 Gauss-Legendre steps; SmoothGrad: 50 samples; GradientSHAP: 5 samples
/// over 20 N(0, 0.001^2) baselines; Occlusion: window C x 4 x 4, stride 2), Captum's defaults otherwise (LIME and
/// KernelSHAP: 25 samples over 4x4 superpixels), and the defaults of AttEXplore (seed 003: epsilon 16/255, T = 10
/// steps of N = 20 spectrum samples, rho 0.5, sigma 16/255, momentum 1, input diversity with probability 0.5 and rate
/// 1.15, 7 x 7 TI kernel) and of learned propagation (seed 002: 40 Adam steps, learning rate 0.2); at most 256
/// images per forward pass (learned propagation: optimised together) on both sides. Batch 1 runs the iterations,
/// larger batches a third of them (at least one), each after one warm-up call. <c>--methods</c> times a subset.
/// </summary>
internal sealed class AttributionBenchmarks : Section
{
    private const int MaxImages = 256;

    /// <summary>The methods in seed 001's Table 3 order first, then the rest.</summary>
    private static readonly string[] AllMethods =
    [
        "explainer", "saliency", "deeplift", "gradient_shap", "smoothgrad", "integrated_gradients", "occlusion",
        "input_x_gradient", "guided_backprop", "deconvolution", "grad_cam", "feature_ablation", "lime", "kernel_shap",
        "attexplore", "learned_propagation",
    ];

    private static readonly (string Name, string Title)[] Models = [("resnet18", "CIFAR ResNet-18"), ("cnn", "demo CNN")];

    public override string Name => "attribution";

    public override string Title(Settings settings) =>
        $"attribution methods per call, CIFAR ResNet-18 (3x32x32) and the demo CNN (1x28x28), batch 1 and {settings.Batch}";

    /// <summary>The methods timed: all, or those <c>--methods</c> names (checked against the known ones).</summary>
    private static string[] Methods(Settings settings)
    {
        if (settings.Methods is not { } named)
        {
            return AllMethods;
        }

        var unknown = named.Where(m => !AllMethods.Contains(m)).ToList();
        return unknown.Count == 0
            ? AllMethods.Where(named.Contains).ToArray()
            : throw new ArgumentException($"--methods takes one or more (comma-separated) of {string.Join(", ", AllMethods)}; unknown: {string.Join(", ", unknown)}.");
    }

    public override IEnumerable<string> PeerArguments(Settings settings) =>
        settings.Methods is null ? [] : ["--methods", string.Join(',', Methods(settings))];

    public override IReadOnlyList<Row> Rows(Settings settings)
    {
        var rows = new List<Row>();
        foreach (var (model, title) in Models)
        {
            foreach (var batch in new[] { 1, settings.Batch })
            {
                rows.AddRange(Methods(settings).Select(m => new Row($"{title}, {m}, batch {batch}, per image", $"{model}/{m}/b{batch}", $"{model}/{m}/b{batch}", Row.MsPerImage(batch))));
            }
        }

        return rows;
    }

    public override IEnumerable<string> Notes(Settings settings, Samples ours, Samples peer)
    {
        foreach (var (model, title) in Models)
        {
            foreach (var batch in new[] { 1, settings.Batch })
            {
                var order = Methods(settings).Where(m => ours.Median($"{model}/{m}/b{batch}") is not null).OrderBy(m => ours.Median($"{model}/{m}/b{batch}")).ToList();
                yield return $"{title}, batch {batch}, ours fastest first: {string.Join(" < ", order)}";
            }
        }

        yield return "The peer's LIME fits its Lasso with interpreted coordinate descent (vectorised over the batch); Captum would call scikit-learn's compiled solver, which is not installed here.";
    }

    public override void MeasureOurs(Settings settings, Samples into)
    {
        foreach (var (name, _) in Models)
        {
            random.manual_seed(1);
            using ConvClassifier model = name == "resnet18" ? ResNet.ResNet18(10, 3) : new SmallCnn(1, 10, 16);
            int size = name == "resnet18" ? 32 : 28, channels = name == "resnet18" ? 3 : 1, feature = name == "resnet18" ? 4 : 7;
            using var head = new ExplainerHeadSpec(model.FeatureChannels, feature, feature, size, size).Build();
            model.eval();
            head.eval();
            foreach (var batch in new[] { 1, settings.Batch })
            {
                using var generator = new Generator(2);
                using var x = rand([batch, channels, size, size], generator: generator);
                using var y = randint(0, 10, [batch], generator: generator);
                using var baselines = randn([20, channels, size, size], generator: new Generator(3)).mul_(0.001);
                int iterations = batch == 1 ? settings.Iterations : Math.Max(1, settings.Iterations / 3);
                int perEval = Math.Max(1, MaxImages / batch);
                foreach (var method in Methods(settings))
                {
                    var run = Create(method, model, head, baselines, perEval);
                    try
                    {
                        for (int k = 0; k <= iterations; k++)
                        {
                            double ms = Report.TimeMs(() =>
                            {
                                using var scope = NewDisposeScope();
                                run.Call(x, y);
                            });
                            if (k > 0)
                            {
                                into.Add($"{name}/{method}/b{batch}", ms);
                            }
                        }
                    }
                    finally
                    {
                        run.Dispose();
                    }
                }
            }
        }
    }

    private sealed class Runner(Action<Tensor, Tensor> call, IDisposable? state = null) : IDisposable
    {
        public void Call(Tensor x, Tensor y) => call(x, y);

        public void Dispose() => state?.Dispose();
    }

    private static Runner Create(string method, ConvClassifier model, ExplainerHead head, Tensor baselines, int perEval)
    {
        Runner Method(IAttributionMethod m) => new((x, y) => m.Attribute(x, y), m as IDisposable);
        switch (method)
        {
            case "explainer":
                return new((x, _) =>
                {
                    using var noGrad = no_grad();
                    var features = model.Features(x);
                    model.Classify(features);
                    head.call(features);
                });
            case "gradient_shap":
                var shap = new GradientShap(model, new GradientShapOptions { Samples = 5, MaxImagesPerForward = MaxImages });
                return new((x, y) => shap.Attribute(x, y, baselines), shap);
            default:
                return Method(method switch
                {
                    "saliency" => new Saliency(model),
                    "input_x_gradient" => new InputXGradient(model, MaxImages),
                    "integrated_gradients" => new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 50, MaxImagesPerForward = MaxImages }),
                    "smoothgrad" => new SmoothGrad(model, new SmoothGradOptions { Samples = 50, SamplesPerForward = 50, MaxImagesPerForward = MaxImages }),
                    "deeplift" => new DeepLift(model),
                    "guided_backprop" => new GuidedBackprop(model),
                    "deconvolution" => new Deconvolution(model),
                    "occlusion" => new Occlusion(model, new OcclusionOptions { WindowSize = 4, Strides = [2], PerturbationsPerEval = perEval }),
                    "feature_ablation" => new FeatureAblation(model, new FeatureAblationOptions { SuperpixelSize = 4, PerturbationsPerEval = perEval }),
                    "grad_cam" => new GradCam(model),
                    "lime" => new Lime(model, new LimeOptions { PerturbationsPerEval = 25 }),
                    "kernel_shap" => new KernelShap(model, new KernelShapOptions { PerturbationsPerEval = 25 }),
                    "attexplore" => new AttExplore(model, new AttExploreOptions { MaxImagesPerForward = MaxImages }),
                    "learned_propagation" => new LearnedPropagation(model, new LearnedPropagationOptions { MaxImagesPerForward = MaxImages }),
                    _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown method."),
                });
        }
    }
}
