using static TorchSharp.torch;

namespace MLNetExplain.Datasets;

/// <summary>Copies images of an <see cref="ImageDataset"/> into TorchSharp tensors.</summary>
public static class ImageDatasetTensors
{
    /// <summary>
    /// Images <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1 as float32
    /// [count, C, H, W] with pixels scaled to [0, 1], and their labels as int64 [count].
    /// </summary>
    /// <param name="dataset">The images.</param>
    /// <param name="start">First image.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="device">Where the tensors go (the CPU by default).</param>
    public static (Tensor Images, Tensor Labels) ToTensors(this ImageDataset dataset, int start, int count, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, dataset.Count - start);
        using var scope = NewDisposeScope();
        var bytes = tensor(dataset.Pixels.AsSpan(start * dataset.ImageSize, count * dataset.ImageSize).ToArray(), ScalarType.Byte)
            .view(count, dataset.Channels, dataset.Height, dataset.Width);
        var images = bytes.to_type(ScalarType.Float32).div_(255f);
        var labels = tensor(dataset.Labels.AsSpan(start, count).ToArray().Select(l => (long)l).ToArray(), ScalarType.Int64);
        if (device is not null)
        {
            images = images.to(device);
            labels = labels.to(device);
        }

        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
