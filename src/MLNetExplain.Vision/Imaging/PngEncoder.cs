using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// A minimal managed PNG writer: 8-bit grey, grey+alpha, RGB or RGBA, non-interlaced, one IDAT chunk.
/// </summary>
/// <remarks>
/// Encoding is done in managed code rather than through stb_image_write because its output buffer would have to be
/// released with the C library's <c>free</c>, which is only right if libstb was built with the default allocator;
/// a managed encoder has no such trap and its output is byte-for-byte reproducible across machines.
/// Each row uses the "Up" filter (difference to the row above), which suits heat maps and grids with large flat
/// areas better than no filter, at no real cost in code.
/// </remarks>
internal static class PngEncoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    internal static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        // PNG colour types: 0 grey, 4 grey+alpha, 2 RGB, 6 RGBA.
        byte colourType = channels switch
        {
            1 => 0,
            2 => 4,
            3 => 2,
            4 => 6,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 to 4."),
        };

        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bits per channel
        header[9] = colourType;
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering with the five basic filters
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR"u8, header);

        WriteChunk(output, "IDAT"u8, Compress(pixels, width, height, channels));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    private static byte[] Compress(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        int stride = width * channels;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[1 + stride];
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> current = pixels.Slice(y * stride, stride);
                if (y == 0)
                {
                    row[0] = 0; // None: nothing above the first row.
                    current.CopyTo(row.AsSpan(1));
                }
                else
                {
                    row[0] = 2; // Up
                    ReadOnlySpan<byte> above = pixels.Slice((y - 1) * stride, stride);
                    for (int i = 0; i < stride; i++)
                    {
                        row[1 + i] = (byte)(current[i] - above[i]);
                    }
                }

                zlib.Write(row);
            }
        }

        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Append(0, type), data));
        output.Write(word);
    }
}
