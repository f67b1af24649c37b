namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// The CRC-32 of ISO 3309 / ITU-T V.42 (reflected polynomial 0xEDB88320) that PNG puts after every chunk; written
/// here because System.IO.Hashing is a separate package, not part of the base class library.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues a running CRC over more bytes; start from 0 and feed the pieces in order.</summary>
    internal static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
