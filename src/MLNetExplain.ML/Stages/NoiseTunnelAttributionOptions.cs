using System.Text.Json;
using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Options of the NoiseTunnel stage (Captum's <c>NoiseTunnel</c>), written to "NoiseTunnel": a registered method
/// (<see cref="InnerMethod"/>) applied to noisy copies of each image, combined as SmoothGrad, SmoothGrad squared or
/// VarGrad.
/// </summary>
public sealed record NoiseTunnelAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public NoiseTunnelAttributionOptions()
    {
        OutputColumnName = "NoiseTunnel";
    }

    /// <summary>
    /// The tunnel's settings: type, samples (5), noise (0.15 of each image's range unless an absolute sigma is set)
    /// and seed. Every cursor and every PredictionEngine prediction starts its noise from <see cref="NoiseTunnelOptions.Seed"/>,
    /// so a pass over the same rows in the same order repeats.
    /// </summary>
    public NoiseTunnelOptions NoiseTunnel { get; init; } = new();

    /// <summary>
    /// The method applied to each noisy copy: "Saliency" (default), "InputXGradient", "IntegratedGradients",
    /// "GradientShap", or another registered kind.
    /// </summary>
    public string InnerMethod { get; init; } = "Saliency";

    /// <summary>
    /// The inner method's options record (e.g. an <see cref="IntegratedGradientsOptions"/>), saved with the stage as
    /// JSON; null takes its defaults. Saliency and InputXGradient take none.
    /// </summary>
    public object? InnerOptions { get; init; }

    /// <summary>
    /// With Saliency inside, take |gradient| per sample before combining (Captum's <c>Saliency</c> default
    /// <c>abs=True</c>, as <see cref="SmoothGradOptions.Absolute"/>); false combines signed gradients.
    /// </summary>
    public bool AbsoluteSaliency { get; init; } = true;

    /// <summary>The recipe the stage saves: the tunnel's settings with its inner method's kind and settings.</summary>
    /// <exception cref="ArgumentException">An option is out of range or the inner kind is not registered.</exception>
    internal AttributionMethodRecipe Recipe()
    {
        NoiseTunnel.Validate();
        if (!AttributionMethodRecipe.IsKnown(InnerMethod))
        {
            throw new ArgumentException($"InnerMethod '{InnerMethod}' is not a registered attribution method kind (e.g. Saliency, InputXGradient, IntegratedGradients).", "options");
        }

        var inner = InnerOptions is null ? "{}" : JsonSerializer.Serialize(InnerOptions, InnerOptions.GetType());
        return AttributionMethodRecipe.For("NoiseTunnel", new Settings(NoiseTunnel, InnerMethod, inner, AbsoluteSaliency));
    }

    /// <summary>The tunnel over a new inner method, from the settings a <see cref="Recipe"/> wrote.</summary>
    internal static IAttributionMethod Create(nn.Module<Tensor, Tensor> model, string settings)
    {
        var s = JsonSerializer.Deserialize<Settings>(settings) ?? throw new InvalidDataException("NoiseTunnel settings are empty.");
        // The stage applies |.| only after combining, so the per-sample absolute value of Captum's Saliency is made here.
        var inner = s.InnerMethod == "Saliency" ? new Saliency(model, s.AbsoluteSaliency) : new AttributionMethodRecipe(s.InnerMethod, s.InnerSettings).Create(model);
        return new NoiseTunnel(inner, s.NoiseTunnel) { OwnsMethod = true };
    }

    private sealed record Settings(NoiseTunnelOptions NoiseTunnel, string InnerMethod, string InnerSettings, bool AbsoluteSaliency);
}
