using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>PNG encoding, decoding and atomic writing with SkiaSharp.</summary>
public static class PngFile
{
    /// <summary>The bitmap encoded as PNG (lossless).</summary>
    /// <param name="bitmap">The image.</param>
    /// <exception cref="InvalidOperationException">When SkiaSharp cannot encode the bitmap.</exception>
    public static byte[] Encode(SKBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        using SKData? data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data?.ToArray() ?? throw new InvalidOperationException(
            $"SkiaSharp could not encode a {bitmap.Width}x{bitmap.Height} {bitmap.ColorType} bitmap as PNG.");
    }

    /// <summary>Writes the bitmap as a PNG file, atomically (see <see cref="WriteAtomically"/>).</summary>
    /// <param name="bitmap">The image.</param>
    /// <param name="path">The file to create or replace.</param>
    public static void Save(SKBitmap bitmap, string path) => WriteAtomically(path, Encode(bitmap));

    /// <summary>
    /// Writes bytes to a file so that readers see either the old file or the whole new one: the bytes go to a
    /// temporary file beside it, which is flushed to disk and then moved over the target. Missing folders are made.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="bytes">The whole content.</param>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Decodes an image file (PNG, or any format SkiaSharp reads) into a 32-bit BGRA bitmap.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="InvalidDataException">When the file is not an image SkiaSharp can decode.</exception>
    public static SKBitmap Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        }

        SKBitmap decoded = SKBitmap.Decode(path) ?? throw new InvalidDataException(
            $"'{path}' is not an image SkiaSharp can decode (corrupt, truncated or an unsupported format).");
        if (PlanarPixels.IsBgra(decoded))
        {
            return decoded;
        }

        using (decoded)
        {
            return PlanarPixels.ToBgra(decoded);
        }
    }
}
