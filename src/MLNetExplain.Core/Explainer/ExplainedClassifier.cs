using MLNetExplain.Attribution;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Explainer;

/// <summary>
/// A classifier f plus an explainer head E on its last feature map (seed 001): one forward pass through the
/// backbone gives the logits and the attribution map. State-dict names are <c>classifier.*</c> and <c>explainer.*</c>.
/// </summary>
/// <remarks>
/// The map is class-agnostic, as in the paper: E sees only h. Both modules become submodules of this one (the
/// classifier is not copied): moving or disposing this module moves or disposes them.
/// </remarks>
public sealed class ExplainedClassifier : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict prefixes.
    private readonly ConvClassifier classifier;
    private readonly ExplainerHead explainer;

    /// <summary>Combines a classifier and a head built for its feature map.</summary>
    public ExplainedClassifier(ConvClassifier classifier, ExplainerHead explainer) : base(nameof(ExplainedClassifier))
    {
        this.classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        this.explainer = explainer ?? throw new ArgumentNullException(nameof(explainer));
        if (explainer.Spec.FeatureChannels != classifier.FeatureChannels)
        {
            throw new ArgumentException($"The head reads {explainer.Spec.FeatureChannels}-channel feature maps; the classifier's have {classifier.FeatureChannels}.", nameof(explainer));
        }

        RegisterComponents();
    }

    /// <summary>The classifier f.</summary>
    public ConvClassifier Classifier => classifier;

    /// <summary>The explainer E.</summary>
    public ExplainerHead Explainer => explainer;

    /// <summary>Logits [N, K] and attribution maps [N, OutputChannels, H, W] from one pass through the backbone.</summary>
    /// <param name="images">Images [N, C, H, W] at the head's input size, pixels in [0, 1].</param>
    /// <exception cref="ArgumentException">The images are not [N, C, InputHeight, InputWidth].</exception>
    public (Tensor Logits, Tensor Maps) ForwardBoth(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var features = classifier.Features(images);
        var logits = classifier.Classify(features);
        var maps = explainer.call(features);
        return (logits.MoveToOuterDisposeScope(), maps.MoveToOuterDisposeScope());
    }

    /// <summary>The logits only (the classifier's forward).</summary>
    public override Tensor forward(Tensor images) => classifier.call(images);

    /// <summary>
    /// Probabilities [N, K], predicted classes int64 [N] and maps for a batch, in eval mode (the module's mode is
    /// restored after) without gradients: what a scoring stage needs.
    /// </summary>
    public (Tensor Probabilities, Tensor Predicted, Tensor Maps) Explain(Tensor images)
    {
        using var mode = new EvalMode(this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (logits, maps) = ForwardBoth(images);
        var probabilities = nn.functional.softmax(logits, 1);
        return (probabilities.MoveToOuterDisposeScope(), probabilities.argmax(1).MoveToOuterDisposeScope(), maps.MoveToOuterDisposeScope());
    }

    private void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var spec = explainer.Spec;
        if (images.dim() != 4 || images.shape[2] != spec.InputHeight || images.shape[3] != spec.InputWidth || !images.is_floating_point())
        {
            throw new ArgumentException($"images must be floating point [N, C, {spec.InputHeight}, {spec.InputWidth}]; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        }
    }
}
