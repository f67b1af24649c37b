namespace MLNetExplain.Datasets;

/// <summary>
/// A labelled set of equally sized 8-bit images held in one contiguous buffer, planar
/// (<c>N x C x H x W</c>, the layout libtorch's NCHW tensors and ML.NET's ExtractPixels use), with 0-based labels.
/// </summary>
/// <remarks>
/// One array rather than one object per image keeps a 70,000-image dataset a single 55 MB allocation that loads in
/// a fraction of a second and can be copied into a tensor batch with one span copy.
/// </remarks>
public sealed class ImageDataset
{
    /// <summary>Wraps the given buffers (no copy) after checking their sizes agree.</summary>
    /// <param name="pixels">All images, planar <c>N x C x H x W</c>, one byte per sample.</param>
    /// <param name="labels">One 0-based class index per image.</param>
    /// <param name="channels">Channels per image (1 for grey, 3 for RGB).</param>
    /// <param name="height">Rows per image.</param>
    /// <param name="width">Columns per image.</param>
    /// <param name="classNames">Human-readable class names, indexed by label.</param>
    /// <exception cref="ArgumentException">When the sizes disagree or a label is outside the class range.</exception>
    public ImageDataset(byte[] pixels, int[] labels, int channels, int height, int width, string[] classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);

        long imageSize = (long)channels * height * width;
        if (imageSize > int.MaxValue || (long)labels.Length * imageSize != pixels.LongLength)
        {
            throw new ArgumentException(
                $"{labels.Length} labels of {channels}x{height}x{width} images need {labels.Length * imageSize} " +
                $"pixel bytes, but {pixels.LongLength} were given.", nameof(pixels));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classNames.Length)
            {
                throw new ArgumentException(
                    $"Label {labels[i]} of image {i} is outside the {classNames.Length} classes.", nameof(labels));
            }
        }

        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
    }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Rows per image.</summary>
    public int Height { get; }

    /// <summary>Columns per image.</summary>
    public int Width { get; }

    /// <summary>Bytes per image: <c>Channels * Height * Width</c>.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>All images, planar <c>N x C x H x W</c>.</summary>
    public byte[] Pixels { get; }

    /// <summary>0-based class index of each image.</summary>
    public int[] Labels { get; }

    /// <summary>Class names, indexed by label.</summary>
    public string[] ClassNames { get; }

    /// <summary>Number of classes (the length of <see cref="ClassNames"/>).</summary>
    public int ClassCount => ClassNames.Length;

    /// <summary>The planar <c>C x H x W</c> pixels of one image, without copying.</summary>
    /// <param name="index">0-based image index.</param>
    public ReadOnlySpan<byte> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>How many images each class holds, indexed by label.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[ClassNames.Length];
        foreach (int label in Labels)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <summary>A copy of <paramref name="count"/> consecutive images starting at <paramref name="start"/>.</summary>
    /// <param name="start">Index of the first image kept.</param>
    /// <param name="count">Number of images kept.</param>
    public ImageDataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count - start);
        byte[] pixels = Pixels.AsSpan(start * ImageSize, count * ImageSize).ToArray();
        int[] labels = Labels.AsSpan(start, count).ToArray();
        return new ImageDataset(pixels, labels, Channels, Height, Width, ClassNames);
    }
}
