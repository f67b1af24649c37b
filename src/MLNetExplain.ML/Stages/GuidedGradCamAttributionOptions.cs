using MLNetExplain.Attribution;

namespace MLNetExplain.ML.Stages;

/// <summary>Options of the Guided Grad-CAM stage, written to "GuidedGradCAM" by default ([C, H, W], signed).</summary>
public record GuidedGradCamAttributionOptions : AttributionOptions
{
    /// <summary>Creates the defaults.</summary>
    public GuidedGradCamAttributionOptions()
    {
        OutputColumnName = "GuidedGradCAM";
    }

    /// <summary>The layer (null: a ConvClassifier's feature map) and the upsampling; ReLU is always on, as in Captum.</summary>
    public GradCamOptions GradCam { get; init; } = new();
}
