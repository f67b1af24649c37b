using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Options of the Grad-CAM stage, written to "GradCAM" by default. Grad-CAM gives one map per image, so the column
/// is [1, H, W] under any channel reduction (the default here is <see cref="ChannelReduction.Sum"/>, which leaves a
/// one-channel map unchanged); with <see cref="ChannelReduction.None"/> the map is repeated over the image's C
/// channels, [C, H, W].
/// </summary>
public record GradCamAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public GradCamAttributionOptions()
    {
        OutputColumnName = "GradCAM";
        Reduction = ChannelReduction.Sum;
    }

    /// <summary>
    /// The method's settings: the layer (null: a ConvClassifier's feature map), ReLU, and the upsampling, which the
    /// stage needs (<see cref="GradCamUpsampling.None"/> is refused: the column is an image-sized map).
    /// </summary>
    public GradCamOptions GradCam { get; init; } = new();
}
