namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// An 8-bit image with interleaved channels (<c>H x W x C</c>, row-major, the layout image files and decoders use),
/// 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels.
/// </summary>
/// <remarks>
/// Models and <see cref="Datasets.ImageDataset"/> use planar <c>C x H x W</c> instead; <see cref="PixelLayout"/>
/// converts between the two.
/// </remarks>
public sealed class RasterImage
{
    /// <summary>Wraps interleaved pixels (no copy) after checking their size.</summary>
    /// <param name="pixels">The pixels, <c>height x width x channels</c>.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="channels">Channels per pixel, 1 to 4.</param>
    public RasterImage(byte[] pixels, int width, int height, int channels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 to 4.");
        }

        if ((long)width * height * channels != pixels.LongLength)
        {
            throw new ArgumentException(
                $"A {width}x{height} image with {channels} channel(s) needs {(long)width * height * channels} bytes, " +
                $"but {pixels.Length} were given.", nameof(pixels));
        }

        Pixels = pixels;
        Width = width;
        Height = height;
        Channels = channels;
    }

    /// <summary>A blank (all-zero) image of the given size.</summary>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="channels">Channels per pixel, 1 to 4.</param>
    public RasterImage(int width, int height, int channels)
        : this(new byte[checked(width * height * channels)], width, height, channels)
    {
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Channels per pixel.</summary>
    public int Channels { get; }

    /// <summary>The pixels, <c>Height x Width x Channels</c>; writable, so drawing code can fill them in place.</summary>
    public byte[] Pixels { get; }

    /// <summary>The <see cref="Channels"/> bytes of the pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    /// <param name="x">Column, from the left.</param>
    /// <param name="y">Row, from the top.</param>
    public Span<byte> GetPixel(int x, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return Pixels.AsSpan((y * Width + x) * Channels, Channels);
    }
}
