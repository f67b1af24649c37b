namespace MLNetExplain.Attribution;

/// <summary>Options of <see cref="GradCam"/>. Defaults follow Captum's <c>LayerGradCam</c> and <c>LayerAttribution.interpolate</c>.</summary>
public sealed record GradCamOptions
{
    /// <summary>
    /// The layer whose output A is explained, by its <c>named_modules()</c> name (e.g. "conv3", "layer4",
    /// "features.2"). Null takes the feature map of a <see cref="Models.ConvClassifier"/> (<c>Features</c>, the
    /// last convolutional map); other models need a name.
    /// </summary>
    public string? Layer { get; init; }

    /// <summary>Apply ReLU to the map (the Grad-CAM paper); false keeps the signed map, Captum's <c>relu_attributions=False</c> default.</summary>
    public bool ReluAttributions { get; init; }

    /// <summary>
    /// How the layer-sized map is resized to the input's H x W: <see cref="GradCamUpsampling.Nearest"/> (Captum's
    /// interpolate default), <see cref="GradCamUpsampling.Bilinear"/>, or <see cref="GradCamUpsampling.None"/> to
    /// return the layer-sized map [N, 1, h, w] as Captum's <c>LayerGradCam.attribute</c> does.
    /// </summary>
    public GradCamUpsampling Upsample { get; init; } = GradCamUpsampling.Nearest;

    internal void Validate()
    {
        if (Layer is { Length: 0 })
        {
            throw new ArgumentException("GradCam's Layer must name a layer, or be null for a ConvClassifier's feature map.", "options");
        }

        if (!Enum.IsDefined(Upsample))
        {
            throw new ArgumentException($"GradCam's Upsample must be None, Nearest or Bilinear; got {Upsample}.", "options");
        }
    }
}

/// <summary>How <see cref="GradCam"/> resizes its layer-sized map to the input's height and width.</summary>
public enum GradCamUpsampling
{
    /// <summary>No resizing: the map keeps the layer's h x w.</summary>
    None,

    /// <summary>Each layer cell repeated over the input pixels it covers (Captum's <c>interpolate_mode="nearest"</c>).</summary>
    Nearest,

    /// <summary>Bilinear interpolation with <c>align_corners=False</c> (Captum's <c>interpolate_mode="bilinear"</c>).</summary>
    Bilinear,
}
