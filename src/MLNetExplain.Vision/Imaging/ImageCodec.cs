using System.Runtime.InteropServices;

namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// Reads PNG, JPEG and BMP files through stb_image (Debian's <c>libstb0</c>) and writes PNG files with a small
/// managed encoder. No managed imaging package is reachable from this project's package sources, hence both.
/// </summary>
public static class ImageCodec
{
    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="desiredChannels">
    /// 0 keeps the file's own channel count; 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) converts to it.
    /// </param>
    /// <param name="name">The file name used in error messages.</param>
    /// <exception cref="InvalidDataException">When stb_image cannot decode the data (its reason is in the message).</exception>
    /// <exception cref="DllNotFoundException">When <c>libstb.so.0</c> is not installed.</exception>
    public static unsafe RasterImage Decode(byte[] data, int desiredChannels = 0, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (desiredChannels is < 0 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(desiredChannels), desiredChannels, "Must be 0 to 4.");
        }

        name ??= "<memory>";
        if (data.Length == 0)
        {
            throw new InvalidDataException($"Cannot decode image '{name}': it is empty.");
        }

        byte* decoded;
        int width, height, fileChannels;
        try
        {
            fixed (byte* source = data)
            {
                decoded = StbImageNative.LoadFromMemory(
                    source, data.Length, out width, out height, out fileChannels, desiredChannels);
            }
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"Decoding images needs {StbImageNative.Library} (Debian package libstb0); run `.ci/setup`. {e.Message}", e);
        }

        if (decoded is null)
        {
            string reason = Marshal.PtrToStringUTF8(StbImageNative.FailureReason()) ?? "unknown error";
            throw new InvalidDataException($"Cannot decode image '{name}': {reason}.");
        }

        try
        {
            int channels = desiredChannels == 0 ? fileChannels : desiredChannels;
            long size = (long)width * height * channels;
            if (width <= 0 || height <= 0 || size > Array.MaxLength)
            {
                throw new InvalidDataException($"Image '{name}' has an unsupported size {width}x{height}x{channels}.");
            }

            var pixels = new byte[size];
            new ReadOnlySpan<byte>(decoded, pixels.Length).CopyTo(pixels);
            return new RasterImage(pixels, width, height, channels);
        }
        finally
        {
            StbImageNative.ImageFree(decoded);
        }
    }

    /// <summary>Decodes an image file (PNG, JPEG or BMP).</summary>
    /// <param name="path">The file.</param>
    /// <param name="desiredChannels">0 keeps the file's channel count; 1 to 4 converts to that many.</param>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="InvalidDataException">When the file cannot be decoded (stb_image's reason and the path are in the message).</exception>
    public static RasterImage Decode(string path, int desiredChannels = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        }

        return Decode(File.ReadAllBytes(path), desiredChannels, path);
    }

    /// <summary>Encodes an image as PNG.</summary>
    /// <param name="image">The image; 1 to 4 channels.</param>
    public static byte[] EncodePng(RasterImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PngEncoder.Encode(image.Pixels, image.Width, image.Height, image.Channels);
    }

    /// <summary>Encodes interleaved 8-bit pixels as PNG.</summary>
    /// <param name="pixels">The pixels, <c>height x width x channels</c>.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="channels">1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA).</param>
    public static byte[] EncodePng(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if ((long)width * height * channels != pixels.Length)
        {
            throw new ArgumentException(
                $"A {width}x{height} image with {channels} channel(s) needs {(long)width * height * channels} bytes, " +
                $"but {pixels.Length} were given.", nameof(pixels));
        }

        return PngEncoder.Encode(pixels, width, height, channels);
    }

    /// <summary>Writes an image as a PNG file, atomically: readers never see a half-written file.</summary>
    /// <param name="path">The file to create or replace; its directory is created if needed.</param>
    /// <param name="image">The image.</param>
    public static void SavePng(string path, RasterImage image) => WriteAtomically(path, EncodePng(image));

    /// <summary>Writes interleaved pixels as a PNG file, atomically.</summary>
    /// <param name="path">The file to create or replace; its directory is created if needed.</param>
    /// <param name="pixels">The pixels, <c>height x width x channels</c>.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="channels">1 to 4.</param>
    public static void SavePng(string path, ReadOnlySpan<byte> pixels, int width, int height, int channels) =>
        WriteAtomically(path, EncodePng(pixels, width, height, channels));

    /// <summary>Writes to a temporary file beside the target, then renames it over the target.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);

        // Same directory, so the rename stays on one file system and is atomic.
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush();
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
