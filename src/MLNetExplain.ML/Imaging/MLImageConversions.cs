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
        ReadOnlySpan<byte> pixels = source.GetPixelSpan();
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

    /// <summary>A new 32-bit BGRA bitmap holding a copy of the image's pixels.</summary>
    /// <param name="image">The image; not changed (upstream ML.NET stages may reuse it for the next row, so copy
    /// before the cursor moves on).</param>
    /// <exception cref="ArgumentException">When the image is not 32 bits per pixel BGRA or RGBA.</exception>
    public static SKBitmap ToSKBitmap(this MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = image.Width, height = image.Height;
        ReadOnlySpan<byte> pixels = image.Pixels;
        if (image.PixelFormat is not (MLPixelFormat.Bgra32 or MLPixelFormat.Rgba32) || pixels.Length != 4 * width * height)
        {
            throw new ArgumentException(
                $"Expected a {width}x{height} image of 32-bit BGRA or RGBA pixels ({4 * width * height} bytes), " +
                $"got {image.PixelFormat} with {pixels.Length} bytes.", nameof(image));
        }

        SKBitmap bitmap = PlanarPixels.NewBitmap(width, height);
        Span<byte> target = bitmap.GetPixelSpan();
        pixels.CopyTo(target);
        if (image.PixelFormat == MLPixelFormat.Rgba32)
        {
            for (int at = 0; at < target.Length; at += 4)
            {
                (target[at], target[at + 2]) = (target[at + 2], target[at]);
            }
        }

        return bitmap;
    }
}
