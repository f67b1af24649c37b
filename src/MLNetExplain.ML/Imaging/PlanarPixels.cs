using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// Converts between planar <c>C x H x W</c> pixels (TorchSharp's NCHW, ML.NET's <c>ExtractPixels</c>,
/// <see cref="Datasets.ImageDataset"/>) and SkiaSharp bitmaps, whose pixels are interleaved.
/// </summary>
/// <remarks>Bitmaps made here are 32-bit BGRA and opaque, the layout <c>MLImage.CreateFromPixels</c> takes.</remarks>
public static class PlanarPixels
{
    /// <summary>A bitmap from planar bytes: 1 channel (grey) or 3 (red, green, blue planes).</summary>
    /// <param name="planar">The pixels, <c>channels x height x width</c>, 0 to 255.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <exception cref="ArgumentException">When the buffer size does not match the shape.</exception>
    public static SKBitmap ToBitmap(ReadOnlySpan<byte> planar, int channels, int height, int width)
    {
        CheckChannels(channels, nameof(channels));
        CheckShape(planar.Length, channels, height, width, nameof(planar));
        SKBitmap bitmap = NewBitmap(width, height);
        Span<byte> target = PixelBytes(bitmap);
        int plane = height * width;
        for (int p = 0; p < plane; p++)
        {
            byte r = planar[p];
            byte g = channels == 3 ? planar[plane + p] : r;
            byte b = channels == 3 ? planar[2 * plane + p] : r;
            WriteBgra(target, p, r, g, b);
        }

        return bitmap;
    }

    /// <summary>
    /// A bitmap from planar floats. As in Captum, an image whose maximum is at most 1 is taken to be in [0, 1] and
    /// scaled by 255; otherwise it is taken to be in [0, 255]. Values are rounded and clipped to that range.
    /// </summary>
    /// <param name="planar">The pixels, <c>channels x height x width</c>.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <exception cref="ArgumentException">When the buffer size does not match the shape.</exception>
    public static SKBitmap ToBitmap(ReadOnlySpan<float> planar, int channels, int height, int width) =>
        ToBitmap(ToBytes(planar), channels, height, width);

    /// <summary>The red, green and blue planes of a bitmap, <c>3 x height x width</c> bytes (alpha is dropped).</summary>
    /// <param name="bitmap">Any bitmap SkiaSharp can convert to 32-bit BGRA.</param>
    public static byte[] FromBitmap(SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        using SKBitmap? converted = IsBgra(bitmap) ? null : ToBgra(bitmap);
        SKBitmap source = converted ?? bitmap;
        ReadOnlySpan<byte> pixels = PixelBytes(source);
        int plane = source.Width * source.Height;
        var planar = new byte[3 * plane];
        for (int y = 0; y < source.Height; y++)
        {
            int row = y * source.RowBytes;
            for (int x = 0; x < source.Width; x++)
            {
                int p = y * source.Width + x;
                int at = row + 4 * x;
                planar[p] = pixels[at + 2];
                planar[plane + p] = pixels[at + 1];
                planar[2 * plane + p] = pixels[at];
            }
        }

        return planar;
    }

    /// <summary>Captum's rule for float images: [0, 1] when the maximum is at most 1, else [0, 255].</summary>
    internal static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        float max = values.IsEmpty ? 0 : float.NegativeInfinity;
        foreach (float v in values)
        {
            max = Math.Max(max, v);
        }

        float scale = max <= 1f ? 255f : 1f;
        var bytes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i] * scale;
            bytes[i] = float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(MathF.Round(v), 0f, 255f);
        }

        return bytes;
    }

    /// <summary>A copy magnified by an integer factor with nearest-neighbour sampling, so each pixel becomes a
    /// <paramref name="scale"/> x <paramref name="scale"/> square of its own colour.</summary>
    /// <param name="bitmap">The image.</param>
    /// <param name="scale">The factor, 1 or more.</param>
    public static SKBitmap Magnify(SKBitmap bitmap, int scale)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        using SKBitmap? converted = IsBgra(bitmap) ? null : ToBgra(bitmap);
        SKBitmap source = converted ?? bitmap;
        ReadOnlySpan<byte> from = PixelBytes(source);
        SKBitmap magnified = NewBitmap(source.Width * scale, source.Height * scale);
        Span<byte> to = PixelBytes(magnified);
        for (int y = 0; y < magnified.Height; y++)
        {
            int sourceRow = y / scale * source.RowBytes;
            int targetRow = y * magnified.RowBytes;
            for (int x = 0; x < magnified.Width; x++)
            {
                from.Slice(sourceRow + 4 * (x / scale), 4).CopyTo(to.Slice(targetRow + 4 * x, 4));
            }
        }

        return magnified;
    }

    /// <summary>
    /// The bitmap's pixel memory, <c>RowBytes x Height</c> bytes, writable. SkiaSharp 2.88's <c>GetPixelSpan</c> is
    /// read-only and 3.x changed its return type, so the address is wrapped here; valid while the bitmap lives.
    /// </summary>
    internal static unsafe Span<byte> PixelBytes(SKBitmap bitmap) =>
        new((void*)bitmap.GetPixels(), bitmap.RowBytes * bitmap.Height);

    /// <summary>A new opaque 32-bit BGRA bitmap, the layout every bitmap made here has.</summary>
    internal static SKBitmap NewBitmap(int width, int height) =>
        new(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Premul));

    /// <summary>Writes pixel <paramref name="p"/> (row-major index) of a tightly packed BGRA buffer, opaque.</summary>
    internal static void WriteBgra(Span<byte> bgra, int p, byte r, byte g, byte b)
    {
        bgra[4 * p] = b;
        bgra[4 * p + 1] = g;
        bgra[4 * p + 2] = r;
        bgra[4 * p + 3] = 255;
    }

    internal static bool IsBgra(SKBitmap bitmap) =>
        bitmap.ColorType == SKColorType.Bgra8888 && bitmap.RowBytes == 4 * bitmap.Width;

    /// <summary>A 32-bit BGRA copy of a bitmap of another colour type.</summary>
    internal static SKBitmap ToBgra(SKBitmap bitmap) =>
        bitmap.Copy(SKColorType.Bgra8888) ?? throw new ArgumentException(
            $"A {bitmap.ColorType} bitmap cannot be converted to 32-bit BGRA.", nameof(bitmap));

    internal static void CheckChannels(int channels, string parameter)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(parameter, channels, "Images must have 1 (grey) or 3 (RGB) channels.");
        }
    }

    internal static void CheckShape(int length, int channels, int height, int width, string parameter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if ((long)channels * height * width != length)
        {
            throw new ArgumentException(
                $"A {channels}x{height}x{width} planar buffer has {(long)channels * height * width} values, " +
                $"but {length} were given.", parameter);
        }
    }
}
