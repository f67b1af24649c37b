using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// Checks images and labels before any native call sees them: libtorch aborts the process, or fails with an
/// unhelpful message, on several of these mistakes.
/// </summary>
internal static class LabelledBatch
{
    /// <summary>
    /// Images must be a floating-point [N, C, H, W] tensor with pixels in [0, 1] (when <paramref name="unitRange"/>),
    /// labels int64 [N] on the same device.
    /// </summary>
    public static void Check(Tensor images, Tensor labels, bool unitRange = true, string imagesName = "images", string labelsName = "labels")
    {
        ArgumentNullException.ThrowIfNull(images, imagesName);
        ArgumentNullException.ThrowIfNull(labels, labelsName);
        if (images.dim() != 4 || images.shape[0] < 1)
        {
            throw new ArgumentException($"Expected images [N, C, H, W] with N >= 1; got [{string.Join(", ", images.shape)}].", imagesName);
        }

        if (!is_floating_point(images))
        {
            throw new ArgumentException($"Expected floating-point images (float32 or float64); got {images.dtype}.", imagesName);
        }

        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException(
                $"Expected int64 labels [{images.shape[0]}] (one class index per image); got {labels.dtype} [{string.Join(", ", labels.shape)}].", labelsName);
        }

        if (labels.device_type != images.device_type || labels.device_index != images.device_index)
        {
            throw new ArgumentException($"Labels are on {labels.device}, images on {images.device}.", labelsName);
        }

        if (unitRange)
        {
            using var scope = NewDisposeScope();
            double min = images.min().to_type(ScalarType.Float64).item<double>();
            double max = images.max().to_type(ScalarType.Float64).item<double>();
            if (!(min >= 0 && max <= 1))
            {
                throw new ArgumentException(
                    $"Expected pixels in [0, 1] (normalisation belongs inside the model, e.g. NormalizedClassifier); got values in [{min}, {max}].", imagesName);
            }
        }
    }

    /// <summary>Logits must be [N, K] and every label a class index below K.</summary>
    public static void CheckLogits(Tensor logits, Tensor labels, string labelsName = "labels")
    {
        if (logits.dim() != 2 || logits.shape[0] != labels.shape[0])
        {
            throw new ArgumentException(
                $"The model must return logits [{labels.shape[0]}, classes]; it returned [{string.Join(", ", logits.shape)}].", "model");
        }

        using var scope = NewDisposeScope();
        long min = labels.min().item<long>();
        long max = labels.max().item<long>();
        if (min < 0 || max >= logits.shape[1])
        {
            throw new ArgumentException($"Labels must be class indices in [0, {logits.shape[1] - 1}]; got values in [{min}, {max}].", labelsName);
        }
    }
}
