using System.Collections.Concurrent;
using System.Text.Json;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// How to create an attribution method for a model: a kind and its settings as JSON. A stage built from a recipe
/// creates a fresh method per cursor (so seeded methods repeat per pass) and can be saved; a stage over a
/// caller's own method instance has no recipe.
/// </summary>
internal sealed record AttributionMethodRecipe(string Kind, string Settings)
{
    private static readonly ConcurrentDictionary<string, Func<nn.Module<Tensor, Tensor>, string, IAttributionMethod>> Kinds = new()
    {
        ["GuidedBackprop"] = (model, _) => new GuidedBackprop(model),
        ["Deconvolution"] = (model, _) => new Deconvolution(model),
        ["DeepLift"] = (model, settings) => new DeepLift(model, JsonSerializer.Deserialize<DeepLiftOptions>(settings)),
        // The stage takes absolute values in post-processing, so the method gives the signed gradient.
        ["Saliency"] = (model, _) => new Saliency(model, absolute: false),
        ["SmoothGrad"] = (model, settings) => new SmoothGrad(model, JsonSerializer.Deserialize<SmoothGradOptions>(settings)),
        ["InputXGradient"] = (model, _) => new InputXGradient(model),
        ["IntegratedGradients"] = (model, settings) => new IntegratedGradients(model, JsonSerializer.Deserialize<IntegratedGradientsOptions>(settings)),
        ["NoiseTunnel"] = NoiseTunnelAttributionOptions.Create,
        ["GradientShap"] = (model, settings) => new GradientShap(model, JsonSerializer.Deserialize<GradientShapOptions>(settings)),
        ["GradCAM"] = (model, settings) => new GradCam(model, JsonSerializer.Deserialize<GradCamOptions>(settings)),
        ["GuidedGradCAM"] = (model, settings) => new GuidedGradCam(model, JsonSerializer.Deserialize<GradCamOptions>(settings)),
        ["Occlusion"] = (model, settings) => new Occlusion(model, JsonSerializer.Deserialize<OcclusionOptions>(settings)),
        ["FeatureAblation"] = (model, settings) => new FeatureAblation(model, JsonSerializer.Deserialize<FeatureAblationOptions>(settings)),
        ["Lime"] = (model, settings) => new Lime(model, JsonSerializer.Deserialize<LimeOptions>(settings)),
        ["KernelShap"] = (model, settings) => new KernelShap(model, JsonSerializer.Deserialize<KernelShapOptions>(settings)),
        ["AttEXplore"] = (model, settings) => new AttExplore(model, JsonSerializer.Deserialize<AttExploreOptions>(settings)),
        ["LearnedPropagation"] = (model, settings) => new LearnedPropagation(model, JsonSerializer.Deserialize<LearnedPropagationOptions>(settings)),
    };

    /// <summary>The saliency recipe.</summary>
    public static AttributionMethodRecipe ForSaliency { get; } = new("Saliency", "{}");

    /// <summary>The SmoothGrad recipe for <paramref name="options"/>.</summary>
    public static AttributionMethodRecipe ForSmoothGrad(SmoothGradOptions options) => new("SmoothGrad", JsonSerializer.Serialize(options));

    /// <summary>The recipe of a registered <paramref name="kind"/> with its method's <paramref name="options"/> (a JSON-serialisable record).</summary>
    public static AttributionMethodRecipe For<TOptions>(string kind, TOptions options) => new(kind, JsonSerializer.Serialize(options));

    /// <summary>Makes <paramref name="kind"/> creatable (tests and other stages register their methods).</summary>
    public static void Register(string kind, Func<nn.Module<Tensor, Tensor>, string, IAttributionMethod> create) => Kinds[kind] = create;

    /// <summary>Whether <paramref name="kind"/> can be created.</summary>
    public static bool IsKnown(string kind) => Kinds.ContainsKey(kind);

    /// <summary>A new method over <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">The kind is not registered.</exception>
    public IAttributionMethod Create(nn.Module<Tensor, Tensor> model) =>
        Kinds.TryGetValue(Kind, out var create) ? create(model, Settings)
            : throw new NotSupportedException($"Unknown attribution method kind '{Kind}'; known: {string.Join(", ", Kinds.Keys.Order())}.");
}
