using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Explainer;

/// <summary>
/// The explainer head's maps as an <see cref="IAttributionMethod"/>, so they can be evaluated and compared with
/// post-hoc methods through one interface. The maps are class-agnostic (seed 001): targets are validated, not used.
/// </summary>
public sealed class ExplainerAttribution : IAttributionMethod
{
    private readonly ExplainedClassifier _model;

    /// <summary>Wraps a trained classifier with its head.</summary>
    public ExplainerAttribution(ExplainedClassifier model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc />
    public string Name => "Explainer";

    /// <inheritdoc />
    /// <returns>Maps [N, OutputChannels, H, W] from one forward pass in eval mode; the caller owns them.</returns>
    public Tensor Attribute(Tensor inputs, Tensor targets)
    {
        AttributionInputs.Check(inputs, targets);
        var (probabilities, predicted, maps) = _model.Explain(inputs);
        probabilities.Dispose();
        predicted.Dispose();
        return maps;
    }
}
