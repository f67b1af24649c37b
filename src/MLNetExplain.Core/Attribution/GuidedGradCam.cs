using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Guided Grad-CAM (Selvaraju et al. 2017), Captum's <c>GuidedGradCam(model, layer).attribute(inputs, target)</c>:
/// the element-wise product of <see cref="GuidedBackprop"/>'s map and the <see cref="GradCam"/> map of the layer,
/// upsampled to the input (one map per image, broadcast over the channels).
/// </summary>
/// <remarks>
/// As Captum, the Grad-CAM factor always has ReLU applied (<c>relu_attributions=True</c>), so negative evidence
/// does not flip Guided Backprop's signs; <see cref="GradCamOptions.ReluAttributions"/> is therefore ignored, and
/// <see cref="GradCamUpsampling.None"/> is refused (the factor must be image-sized). The model needs what both parts
/// need: ReLU modules (see <see cref="GuidedBackprop"/>) and the layer (see <see cref="GradCam"/>).
/// </remarks>
public sealed class GuidedGradCam : AttributionMethod
{
    private readonly GradCam _gradCam;
    private readonly GuidedBackprop _guided;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The layer and the upsampling; null takes a ConvClassifier's feature map, nearest.</param>
    /// <exception cref="ArgumentException">The layer is not found, or the upsampling is None.</exception>
    public GuidedGradCam(nn.Module<Tensor, Tensor> model, GradCamOptions? options = null)
        : base(model)
    {
        var o = options ?? new GradCamOptions();
        if (o.Upsample == GradCamUpsampling.None)
        {
            throw new ArgumentException("Guided Grad-CAM multiplies by an image-sized Grad-CAM map: set Upsample to Nearest or Bilinear.", nameof(options));
        }

        Options = o with { ReluAttributions = true };
        _gradCam = new GradCam(model, Options);
        _guided = new GuidedBackprop(model);
    }

    /// <inheritdoc />
    public override string Name => "GuidedGradCAM";

    /// <summary>The Grad-CAM settings (ReLU on, as Captum).</summary>
    public GradCamOptions Options { get; }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) =>
        _guided.Attribute(inputs, targets) * _gradCam.Attribute(inputs, targets);
}
