using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017) with Captum's <c>LayerGradCam</c> convention: for the layer output A
/// [N, C, h, w], channel weights w_c = mean over (h, w) of dF_t/dA_c and the map sum_c w_c A_c, signed unless
/// <see cref="GradCamOptions.ReluAttributions"/> (Captum's <c>relu_attributions=False</c> default), then resized
/// to the input's H x W as Captum's <c>LayerAttribution.interpolate</c> does (nearest by default).
/// </summary>
/// <remarks>
/// <para>
/// The layer is named as in <c>named_modules()</c> (<see cref="GradCamOptions.Layer"/>); with no name, a
/// <see cref="ConvClassifier"/> is explained at its feature map by calling <c>Features</c> then <c>Classify</c>, so
/// no hook is needed (a <see cref="TorchScriptBackbone"/> works this way, since TorchScript layers cannot be hooked).
/// A named layer's output is read by a forward hook removed after each call; the layer must run once per forward.
/// </para>
/// <para>
/// The result is one map per example, [N, 1, H, W] (or [N, 1, h, w] without upsampling), not the input's shape:
/// Grad-CAM has no per-channel input attribution. One forward and one backward pass per call; examples do not
/// interact (the model runs in eval mode), so a batch gives the same maps as its examples one at a time.
/// </para>
/// </remarks>
public sealed class GradCam : AttributionMethod
{
    private readonly nn.Module<Tensor, Tensor>? _layer;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified (the hook on a named layer is removed after each call).</param>
    /// <param name="options">The settings; null takes the defaults (the feature map of a <see cref="ConvClassifier"/>).</param>
    /// <exception cref="ArgumentException">The options are invalid, the named layer does not exist (the message lists
    /// the model's layer names) or cannot be hooked, or no layer is named and the model is not a <see cref="ConvClassifier"/>.</exception>
    public GradCam(nn.Module<Tensor, Tensor> model, GradCamOptions? options = null)
        : base(model)
    {
        Options = options ?? new GradCamOptions();
        Options.Validate();
        if (Options.Layer is { } name)
        {
            _layer = LayerSelection.FindHookable(model, name);
        }
        else if (model is not ConvClassifier)
        {
            var names = model.named_modules().Select(m => m.name).Where(n => !string.IsNullOrEmpty(n)).ToList();
            throw new ArgumentException(
                $"GradCam needs a layer: name one in GradCamOptions.Layer ({(names.Count == 0 ? "the model has no submodules" : "this model's layers: " + string.Join(", ", names))}), or explain a ConvClassifier, whose feature map is the default.", nameof(options));
        }
    }

    /// <inheritdoc />
    public override string Name => "GradCAM";

    /// <summary>The settings.</summary>
    public GradCamOptions Options { get; }

    /// <summary>
    /// Resizes maps [N, C, h, w] to <paramref name="height"/> x <paramref name="width"/>, Captum's
    /// <c>LayerAttribution.interpolate</c>; Guided Grad-CAM multiplies such an upsampled map with Guided Backprop.
    /// </summary>
    /// <param name="maps">Layer-sized maps [N, C, h, w]; not modified.</param>
    /// <param name="height">The target height.</param>
    /// <param name="width">The target width.</param>
    /// <param name="mode">Nearest (each cell repeated) or bilinear (align_corners=False); None returns a copy.</param>
    /// <returns>Maps [N, C, height, width]; the caller owns them.</returns>
    /// <exception cref="ArgumentException">The maps are not floating point [N, C, h, w], or a size is not positive.</exception>
    public static Tensor Interpolate(Tensor maps, long height, long width, GradCamUpsampling mode = GradCamUpsampling.Nearest)
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.dim() != 4 || !maps.is_floating_point())
        {
            throw new ArgumentException($"maps must be floating point [N, C, h, w]; got {maps.dtype} [{AttributionInputs.Shape(maps)}].", nameof(maps));
        }

        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"The target size must be positive; got {height} x {width}.", height < 1 ? nameof(height) : nameof(width));
        }

        return mode switch
        {
            GradCamUpsampling.None => maps.clone(),
            GradCamUpsampling.Nearest => nn.functional.interpolate(maps, [height, width], mode: InterpolationMode.Nearest),
            GradCamUpsampling.Bilinear => nn.functional.interpolate(maps, [height, width], mode: InterpolationMode.Bilinear, align_corners: false),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown upsampling."),
        };
    }

    /// <inheritdoc />
    /// <returns>Maps [N, 1, H, W] (the input's H x W), or [N, 1, h, w] with <see cref="GradCamUpsampling.None"/>.</returns>
    protected override Tensor Compute(Tensor inputs, Tensor targets)
    {
        var map = LayerMap(inputs, targets);
        return Options.Upsample == GradCamUpsampling.None ? map : Interpolate(map, inputs.shape[^2], inputs.shape[^1], Options.Upsample);
    }

    /// <summary>The layer-sized map [N, 1, h, w].</summary>
    private Tensor LayerMap(Tensor inputs, Tensor targets)
    {
        Tensor logits, activation;
        if (_layer is null)
        {
            var model = (ConvClassifier)Model;
            using var grad = enable_grad();
            activation = model.Features(inputs).detach().requires_grad_();
            logits = model.Classify(activation);
        }
        else
        {
            (logits, activation) = LayerSelection.RunWithDifferentiableLayer(Model, _layer, Options.Layer!, inputs);
        }

        if (activation.dim() != 4 || activation.shape[0] != inputs.shape[0])
        {
            string layer = Options.Layer is null ? "The feature map" : $"Layer '{Options.Layer}'";
            throw new ArgumentException($"{layer} must be a map [N, C, h, w] = [{inputs.shape[0]}, C, h, w] for Grad-CAM; it is [{AttributionInputs.Shape(activation)}].", nameof(inputs));
        }

        var gradient = LayerSelection.TargetGradient(logits, activation, targets);
        var weights = gradient.mean([2, 3], keepdim: true);
        var map = (weights * activation.detach()).sum(1, keepdim: true);
        return Options.ReluAttributions ? nn.functional.relu(map) : map;
    }
}
