using Microsoft.ML.Data;
using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>Copies between SkiaSharp bitmaps and ImageAnalytics' <see cref="MLImage"/> (the value type of ML.NET image columns).</summary>
public static class MLImageConversions
{
    /// <summary>A new <see cref="MLImage"/> holding a BGRA copy of the bitmap's pixels.</summary>
    /// <param name="bitmap">The image; not changed.</param>
    public static MLImage ToMLImage(this SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        using SKBitmap? converted = PlanarPixels.IsBgra(bitmap) ? null : PlanarPixels.ToBgra(bitmap);
        SKBitmap source = converted ?? bitmap;
        ReadOnlySpan<byte> pixels = PlanarPixels.PixelBytes(source);
        int rowLength = 4 * source.Width;
        if (source.RowBytes != rowLength)
        {
            // MLImage wants rows packed without padding.
            var packed = new byte[rowLength * source.Height];
            for (int y = 0; y < source.Height; y++)
            {
                pixels.Slice(y * source.RowBytes, rowLength).CopyTo(packed.AsSpan(y * rowLength));
            }

            pixels = packed;
        }

        return MLImage.CreateFromPixels(source.Width, source.Height, MLPixelFormat.Bgra32, pixels);
    }

    /// <summary>A new opaque 32-bit BGRA bitmap holding a copy of the image's colours (alpha is dropped).</summary>
    /// <param name="image">The image; not changed (upstream ML.NET stages may reuse it for the next row, so copy
    /// before the cursor moves on).</param>
    /// <remarks>Reads <c>MLImage.GetBGRPixels</c>, which works with every SkiaSharp ImageAnalytics runs on; its
    /// <c>Pixels</c> property does not (it binds to a SkiaSharp 2 signature).</remarks>
    public static SKBitmap ToSKBitmap(this MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = image.Width, height = image.Height;
        byte[] bgr = image.GetBGRPixels;
        if (bgr.Length != 3 * width * height)
        {
            throw new ArgumentException(
                $"Expected {3 * width * height} BGR bytes from a {width}x{height} image, got {bgr.Length}.", nameof(image));
        }

        SKBitmap bitmap = PlanarPixels.NewBitmap(width, height);
        Span<byte> target = PlanarPixels.PixelBytes(bitmap);
        for (int p = 0; p < width * height; p++)
        {
            PlanarPixels.WriteBgra(target, p, bgr[3 * p + 2], bgr[3 * p + 1], bgr[3 * p]);
        }

        return bitmap;
    }
}
