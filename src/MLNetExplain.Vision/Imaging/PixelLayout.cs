namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// Converts between interleaved <c>H x W x C</c> pixels (image files, <see cref="RasterImage"/>) and planar
/// <c>C x H x W</c> pixels (libtorch's NCHW, ML.NET's ExtractPixels, <see cref="Datasets.ImageDataset"/>).
/// </summary>
public static class PixelLayout
{
    /// <summary>Copies interleaved pixels into planar order.</summary>
    /// <param name="interleaved">Source, <c>height x width x channels</c>.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="channels">Channels per pixel.</param>
    /// <param name="planar">Destination, <c>channels x height x width</c>.</param>
    public static void ToPlanar(ReadOnlySpan<byte> interleaved, int height, int width, int channels, Span<byte> planar)
    {
        int plane = CheckSizes(interleaved.Length, planar.Length, height, width, channels);
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < channels; c++)
            {
                planar[c * plane + p] = interleaved[p * channels + c];
            }
        }
    }

    /// <summary>Copies planar pixels into interleaved order.</summary>
    /// <param name="planar">Source, <c>channels x height x width</c>.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="channels">Channels per pixel.</param>
    /// <param name="interleaved">Destination, <c>height x width x channels</c>.</param>
    public static void ToInterleaved(ReadOnlySpan<byte> planar, int height, int width, int channels, Span<byte> interleaved)
    {
        int plane = CheckSizes(interleaved.Length, planar.Length, height, width, channels);
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < channels; c++)
            {
                interleaved[p * channels + c] = planar[c * plane + p];
            }
        }
    }

    /// <summary>The planar <c>C x H x W</c> pixels of an image, as a new array.</summary>
    /// <param name="image">The image.</param>
    public static byte[] ToPlanar(RasterImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var planar = new byte[image.Pixels.Length];
        ToPlanar(image.Pixels, image.Height, image.Width, image.Channels, planar);
        return planar;
    }

    /// <summary>An image made from planar <c>C x H x W</c> pixels.</summary>
    /// <param name="planar">The pixels, <c>channels x height x width</c>.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="channels">Channels per pixel, 1 to 4.</param>
    public static RasterImage FromPlanar(ReadOnlySpan<byte> planar, int height, int width, int channels)
    {
        var image = new RasterImage(width, height, channels);
        ToInterleaved(planar, height, width, channels, image.Pixels);
        return image;
    }

    private static int CheckSizes(int interleavedLength, int planarLength, int height, int width, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        long size = (long)height * width * channels;
        if (interleavedLength != size || planarLength != size)
        {
            throw new ArgumentException(
                $"A {channels}x{height}x{width} image has {size} bytes; the buffers hold {interleavedLength} " +
                $"(interleaved) and {planarLength} (planar).");
        }

        return height * width;
    }
}
