using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>The font labels are drawn in, and text measuring in the form SkiaSharp 2 and 3 both offer.</summary>
internal static class LabelFont
{
    /// <summary>SkiaSharp's default typeface at <paramref name="size"/> pixels, antialiased.</summary>
    public static SKFont Create(float size) => new(SKTypeface.Default, size) { Edging = SKFontEdging.Antialias };

    /// <summary>The advance width of <paramref name="text"/> in pixels.</summary>
    public static float Width(SKFont font, string text)
    {
        var glyphs = new ushort[font.CountGlyphs(text)];
        font.GetGlyphs(text, glyphs);
        return font.MeasureText(glyphs);
    }

    /// <summary>The height of one line (descent minus ascent), rounded up.</summary>
    public static int LineHeight(SKFont font)
    {
        SKFontMetrics metrics = font.Metrics;
        return (int)Math.Ceiling(metrics.Descent - metrics.Ascent);
    }
}
