using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// A train/test split for ROAR and KAR: the clean data the evaluator reads, and the modified data each retraining
/// receives. Images are [N, C, H, W] in [0, 1] (float32 or float64), labels int64 [N]; the evaluator never
/// disposes a dataset it was given, and disposes the modified ones after each cell.
/// </summary>
/// <param name="TrainImages">Training images [N, C, H, W].</param>
/// <param name="TrainLabels">Training labels [N].</param>
/// <param name="TestImages">Test images [M, C, H, W].</param>
/// <param name="TestLabels">Test labels [M].</param>
public sealed record RoarDataset(Tensor TrainImages, Tensor TrainLabels, Tensor TestImages, Tensor TestLabels)
{
    internal void Validate()
    {
        Check(TrainImages, TrainLabels, nameof(TrainImages), nameof(TrainLabels));
        Check(TestImages, TestLabels, nameof(TestImages), nameof(TestLabels));
        if (!TrainImages.shape.Skip(1).SequenceEqual(TestImages.shape.Skip(1)))
        {
            throw new ArgumentException($"Train and test images must share [C, H, W]; got [{string.Join(", ", TrainImages.shape)}] and [{string.Join(", ", TestImages.shape)}].", "data");
        }
    }

    private static void Check(Tensor images, Tensor labels, string imagesName, string labelsName)
    {
        ArgumentNullException.ThrowIfNull(images, imagesName);
        ArgumentNullException.ThrowIfNull(labels, labelsName);
        if (images.dim() != 4 || images.shape[0] < 1 || !images.is_floating_point())
        {
            throw new ArgumentException($"{imagesName} must be floating point [N, C, H, W] with N >= 1; got {images.dtype} [{string.Join(", ", images.shape)}].", "data");
        }

        if (labels.dim() != 1 || labels.shape[0] != images.shape[0] || !is_integral(labels.dtype))
        {
            throw new ArgumentException($"{labelsName} must be integer class indices [{images.shape[0]}]; got {labels.dtype} [{string.Join(", ", labels.shape)}].", "data");
        }
    }
}
