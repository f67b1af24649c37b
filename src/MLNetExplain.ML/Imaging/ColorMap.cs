using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// A colour map: evenly spaced anchor colours, linearly interpolated in between, mapping <c>t</c> in [0, 1] to an
/// opaque colour.
/// </summary>
/// <remarks>
/// A handful of anchors is enough: between well-chosen anchors, linear interpolation of a smooth map such as viridis
/// stays within a few 8-bit levels of the full table.
/// </remarks>
public sealed class ColorMap
{
    private readonly SKColor[] _anchors;

    /// <summary>A map through the given anchors, the first at <c>t = 0</c> and the last at <c>t = 1</c>.</summary>
    /// <param name="name">A short name, e.g. "viridis".</param>
    /// <param name="anchors">Two or more colours, evenly spaced over [0, 1]; their alpha is ignored.</param>
    public ColorMap(string name, IReadOnlyList<SKColor> anchors)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Count < 2)
        {
            throw new ArgumentException("A colour map needs at least two anchors.", nameof(anchors));
        }

        Name = name;
        _anchors = [.. anchors.Select(a => a.WithAlpha(255))];
    }

    /// <summary>
    /// Viridis (van der Walt and Smith, matplotlib's default since 2.0): perceptually uniform, readable in grey and by
    /// colour-blind viewers, from dark purple at 0 to yellow at 1. Nine anchors, the map sampled at <c>k / 8</c>.
    /// </summary>
    public static ColorMap Viridis { get; } = new("viridis",
    [
        new(0x44, 0x01, 0x54), new(0x47, 0x2D, 0x7B), new(0x3B, 0x52, 0x8B), new(0x2C, 0x72, 0x8E), new(0x21, 0x90, 0x8C),
        new(0x27, 0xAD, 0x81), new(0x5D, 0xC8, 0x63), new(0xAA, 0xDC, 0x32), new(0xFD, 0xE7, 0x25),
    ]);

    /// <summary>
    /// A diverging map for signed values: dark blue at 0, white exactly at 0.5 (zero attribution), dark red at 1,
    /// with symmetric lightness on both sides so equal magnitudes look equally strong (ColorBrewer's RdBu, reversed).
    /// </summary>
    public static ColorMap BlueWhiteRed { get; } = new("blue-white-red",
    [
        new(0x05, 0x30, 0x61), new(0x43, 0x93, 0xC3), new(0xFF, 0xFF, 0xFF), new(0xD6, 0x60, 0x4D), new(0x67, 0x00, 0x1F),
    ]);

    /// <summary>A plain ramp from black at 0 to white at 1.</summary>
    public static ColorMap Grey { get; } = new("grey", [SKColors.Black, SKColors.White]);

    /// <summary>The map's name.</summary>
    public string Name { get; }

    /// <summary>The anchor colours, first at <c>t = 0</c>, last at <c>t = 1</c>.</summary>
    public IReadOnlyList<SKColor> Anchors => _anchors;

    /// <summary>The colour at <paramref name="t"/>; values outside [0, 1] are clamped and NaN maps like 0.</summary>
    /// <param name="t">Position on the map.</param>
    public SKColor Map(double t)
    {
        // NaN compares false with everything, so test for it explicitly rather than let it index the table.
        if (double.IsNaN(t) || t <= 0)
        {
            return _anchors[0];
        }

        if (t >= 1)
        {
            return _anchors[^1];
        }

        double scaled = t * (_anchors.Length - 1);
        int i = (int)scaled;
        double f = scaled - i;
        SKColor a = _anchors[i], b = _anchors[i + 1];
        return new SKColor(Lerp(a.Red, b.Red, f), Lerp(a.Green, b.Green, f), Lerp(a.Blue, b.Blue, f));
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);
}
