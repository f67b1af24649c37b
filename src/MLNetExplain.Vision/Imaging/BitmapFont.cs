using System.Globalization;

namespace MLNetExplain.Vision.Imaging;

/// <summary>
/// A tiny 5x7 pixel font for printable ASCII (32-126), drawn by hand for this project, for labelling image grids
/// without a font rasteriser. Characters outside that range are drawn as '?'.
/// </summary>
public static class BitmapFont
{
    /// <summary>Glyph width in pixels (at scale 1).</summary>
    public const int GlyphWidth = 5;

    /// <summary>Glyph height in pixels (at scale 1).</summary>
    public const int GlyphHeight = 7;

    /// <summary>Horizontal distance from one glyph to the next: the glyph plus one blank column.</summary>
    public const int Advance = GlyphWidth + 1;

    private const char First = ' ';
    private const char Last = '~';

    // One entry per character from ' ' to '~': seven rows of two hex digits, top row first. In each row, bit 4 (0x10)
    // is the leftmost pixel and bit 0 (0x01) the rightmost.
    private static readonly string[] Rows =
    [
        "00000000000000", "04040404040004", "0A0A0000000000", "0A0A1F0A1F0A0A", // space ! (double quote) #
        "040F140E051E04", "18190204081303", "0C12140815120D", "04040000000000", // $ % & '
        "02040808080402", "08040202020408", "0004150E150400", "0004041F040400", // ( ) * +
        "000000000C0408", "0000001F000000", "00000000000C0C", "00010204081000", // , - . /
        "0E11131519110E", "040C040404040E", "0E11010204081F", "1F02040201110E", // 0 1 2 3
        "02060A121F0202", "1F101E0101110E", "0608101E11110E", "1F010204080808", // 4 5 6 7
        "0E11110E11110E", "0E11110F01020C", "000C0C000C0C00", "000C0C000C0408", // 8 9 : ;
        "02040810080402", "00001F001F0000", "08040201020408", "0E110102040004", // < = > ?
        "0E11010D15150E", "0E1111111F1111", "1E11111E11111E", "0E11101010110E", // @ A B C
        "1C12111111121C", "1F10101E10101F", "1F10101E101010", "0E11101711110F", // D E F G
        "1111111F111111", "0E04040404040E", "0702020202120C", "11121418141211", // H I J K
        "1010101010101F", "111B1515111111", "11111915131111", "0E11111111110E", // L M N O
        "1E11111E101010", "0E11111115120D", "1E11111E141211", "0F10100E01011E", // P Q R S
        "1F040404040404", "1111111111110E", "11111111110A04", "1111111515150A", // T U V W
        "11110A040A1111", "1111110A040404", "1F01020408101F", "0E08080808080E", // X Y Z [
        "00100804020100", "0E02020202020E", "040A1100000000", "0000000000001F", // \ ] ^ _
        "08040200000000", "00000E010F110F", "1010161911111E", "00000E1010110E", // ` a b c
        "01010D1311110F", "00000E111F100E", "0609081C080808", "000F11110F010E", // d e f g
        "10101619111111", "04000C0404040E", "0200060202120C", "10101214181412", // h i j k
        "0C04040404040E", "00001A15151111", "00001619111111", "00000E1111110E", // l m n o
        "00001E111E1010", "00000D130F0101", "00001619101010", "00000E100E011E", // p q r s
        "08081C08080906", "0000111111130D", "00001111110A04", "0000111115150A", // t u v w
        "0000110A040A11", "000011110F010E", "00001F0204081F", "02040408040402", // x y z {
        "04040404040404", "08040402040408", "00000815020000", // | } ~
    ];

    private static readonly byte[] Bitmaps = Parse();

    /// <summary>Whether the pixel at column <paramref name="x"/> (0-4), row <paramref name="y"/> (0-6) of a glyph is inked.</summary>
    /// <param name="c">The character; outside printable ASCII it is drawn as '?'.</param>
    /// <param name="x">Column within the glyph, from the left.</param>
    /// <param name="y">Row within the glyph, from the top.</param>
    public static bool IsInked(char c, int x, int y)
    {
        if ((uint)x >= GlyphWidth || (uint)y >= GlyphHeight)
        {
            return false;
        }

        int index = (c is >= First and <= Last ? c : '?') - First;
        return (Bitmaps[index * GlyphHeight + y] & (0x10 >> x)) != 0;
    }

    /// <summary>Width in pixels of <paramref name="text"/> drawn at <paramref name="scale"/> (no trailing gap).</summary>
    /// <param name="text">The text, one line.</param>
    /// <param name="scale">Integer magnification.</param>
    public static int MeasureWidth(string text, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? 0 : scale * (text.Length * Advance - 1);
    }

    /// <summary>
    /// Draws one line of text with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>); pixels outside
    /// the image or beyond <paramref name="maxWidth"/> are clipped.
    /// </summary>
    /// <param name="target">An RGB or grey image to draw into.</param>
    /// <param name="x">Left edge, in pixels.</param>
    /// <param name="y">Top edge, in pixels.</param>
    /// <param name="text">The text, one line.</param>
    /// <param name="colour">The ink colour (grey images take its red component).</param>
    /// <param name="scale">Integer magnification: each font pixel becomes a <c>scale x scale</c> block.</param>
    /// <param name="maxWidth">Clip width from <paramref name="x"/>; default unlimited.</param>
    public static void Draw(
        RasterImage target, int x, int y, string text, (byte R, byte G, byte B) colour, int scale = 1,
        int maxWidth = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        int right = (int)Math.Min((long)x + maxWidth, target.Width);
        for (int i = 0; i < text.Length; i++)
        {
            int left = x + i * Advance * scale;
            for (int gy = 0; gy < GlyphHeight; gy++)
            {
                for (int gx = 0; gx < GlyphWidth; gx++)
                {
                    if (IsInked(text[i], gx, gy))
                    {
                        FillBlock(target, left + gx * scale, y + gy * scale, scale, right, colour);
                    }
                }
            }
        }
    }

    private static void FillBlock(RasterImage target, int x0, int y0, int size, int right, (byte R, byte G, byte B) colour)
    {
        for (int py = Math.Max(y0, 0); py < Math.Min(y0 + size, target.Height); py++)
        {
            for (int px = Math.Max(x0, 0); px < Math.Min(x0 + size, right); px++)
            {
                Span<byte> pixel = target.GetPixel(px, py);
                pixel[0] = colour.R;
                if (pixel.Length >= 3)
                {
                    pixel[1] = colour.G;
                    pixel[2] = colour.B;
                }
            }
        }
    }

    private static byte[] Parse()
    {
        var bitmaps = new byte[Rows.Length * GlyphHeight];
        for (int g = 0; g < Rows.Length; g++)
        {
            for (int r = 0; r < GlyphHeight; r++)
            {
                bitmaps[g * GlyphHeight + r] = byte.Parse(Rows[g].AsSpan(2 * r, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        return bitmaps;
    }
}
