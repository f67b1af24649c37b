using SkiaSharp;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// Draws attribution maps the way Captum's <c>visualize_image_attr</c> (captum/attr/_utils/visualization.py) does,
/// so pictures made here can be compared with the literature's:
/// <list type="number">
/// <item>the attribution (planar <c>C x H x W</c>) is summed over its channels into one value per pixel;</item>
/// <item>the sign mode keeps magnitudes, positive values, negative values (by magnitude) or everything;</item>
/// <item>the kept values are divided by an outlier-robust scale and clipped (see <see cref="Normalize"/>);</item>
/// <item>the result is coloured, and optionally laid over a grey copy of the input image with some opacity.</item>
/// </list>
/// Unlike Captum, the colour maps default to viridis (sequential) and blue-white-red (signed) rather than
/// Blues/Greens/Reds and red-white-green, and an all-zero map renders blank instead of failing.
/// The bitmaps returned are opaque 32-bit BGRA, one pixel per attribution pixel; the caller disposes them.
/// </summary>
public static class HeatmapRenderer
{
    /// <summary>
    /// Captum's outlier-robust scale: sorts the (non-negative) values ascending and returns the first value at which
    /// their running sum reaches <paramref name="percentile"/> percent of the total.
    /// </summary>
    /// <param name="values">Non-negative values, e.g. |attribution|.</param>
    /// <param name="percentile">Percentage of the total mass, 0 to 100; the heat map uses <c>100 - outlier percent</c>.</param>
    /// <returns>The threshold; 0 for empty or all-zero input.</returns>
    /// <remarks>
    /// This is a percentile of the attribution <em>mass</em>, not of the values: with the default 2 % outliers the
    /// largest values that together hold the last 2 % of the total saturate. For the values 1 to 100 (total 5050) the
    /// running sum first reaches 98 % (4949) at 99 (4950), so 99 and 100 map to full colour and 98 to 98/99.
    /// </remarks>
    public static double CumulativeSumThreshold(ReadOnlySpan<float> values, double percentile)
    {
        if (percentile is < 0 or > 100 || double.IsNaN(percentile))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "Must be between 0 and 100.");
        }

        if (values.IsEmpty)
        {
            return 0;
        }

        float[] sorted = values.ToArray();
        Array.Sort(sorted);
        if (sorted[0] < 0)
        {
            throw new ArgumentException("Values must be non-negative (take magnitudes first).", nameof(values));
        }

        // The total is the running sum itself, accumulated in the same order, so the last element always qualifies.
        double total = 0;
        foreach (float v in sorted)
        {
            total += v;
        }

        double target = total * 0.01 * percentile;
        double running = 0;
        foreach (float v in sorted)
        {
            running += v;
            if (running >= target)
            {
                return v;
            }
        }

        return sorted[^1];
    }

    /// <summary>Sums a planar <c>C x H x W</c> attribution over its channels, as Captum does before drawing.</summary>
    /// <param name="attribution">The attribution, <c>channels x height x width</c>.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <returns>One value per pixel, <c>height x width</c>.</returns>
    /// <exception cref="ArgumentException">When the size is wrong or a value is NaN or infinite.</exception>
    public static float[] SumChannels(ReadOnlySpan<float> attribution, int channels, int height, int width)
    {
        PlanarPixels.CheckShape(attribution.Length, channels, height, width, nameof(attribution));
        int plane = height * width;
        var sum = new float[plane];
        for (int p = 0; p < plane; p++)
        {
            double s = 0;
            for (int c = 0; c < channels; c++)
            {
                s += attribution[c * plane + p];
            }

            if (!double.IsFinite(s))
            {
                throw new ArgumentException(
                    $"The attribution at pixel ({p % width}, {p / width}) is not finite ({s}).", nameof(attribution));
            }

            sum[p] = (float)s;
        }

        return sum;
    }

    /// <summary>
    /// Captum's <c>_normalize_attr</c>: sums channels, keeps the values of the chosen sign, divides by
    /// <see cref="CumulativeSumThreshold"/> of their magnitudes at <c>100 - outlierPercent</c>, and clips.
    /// </summary>
    /// <param name="attribution">The attribution, planar <c>channels x height x width</c>.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="sign">Which values to keep. Default <see cref="HeatmapSign.Absolute"/>.</param>
    /// <param name="outlierPercent">Percentage of attribution mass that saturates. Default 2.</param>
    /// <returns>
    /// <c>height x width</c> values in [0, 1] (<see cref="HeatmapSign.Negative"/> gives the magnitude of negative
    /// values), or in [-1, 1] for <see cref="HeatmapSign.All"/>. All zeros when nothing of the chosen sign is non-zero.
    /// </returns>
    public static float[] Normalize(
        ReadOnlySpan<float> attribution, int channels, int height, int width,
        HeatmapSign sign = HeatmapSign.Absolute, double outlierPercent = 2.0)
    {
        if (outlierPercent is < 0 or > 100 || double.IsNaN(outlierPercent))
        {
            throw new ArgumentOutOfRangeException(nameof(outlierPercent), outlierPercent, "Must be between 0 and 100.");
        }

        float[] values = SumChannels(attribution, channels, height, width);

        // After this loop `values` holds what is drawn (signed for All) and `magnitudes` what sets the scale.
        var magnitudes = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            values[i] = sign switch
            {
                HeatmapSign.Absolute => Math.Abs(v),
                HeatmapSign.Positive => v > 0 ? v : 0,
                HeatmapSign.Negative => v < 0 ? -v : 0,
                HeatmapSign.All => v,
                _ => throw new ArgumentOutOfRangeException(nameof(sign), sign, "Unknown sign mode."),
            };
            magnitudes[i] = Math.Abs(values[i]);
        }

        double threshold = CumulativeSumThreshold(magnitudes, 100.0 - outlierPercent);
        if (threshold <= 0)
        {
            // Captum asserts here; a blank map is more useful when rendering many images in one go.
            Array.Clear(values);
            return values;
        }

        float lower = sign == HeatmapSign.All ? -1f : 0f;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Clamp((float)(values[i] / threshold), lower, 1f);
        }

        return values;
    }

    /// <summary>The colour <paramref name="options"/> give a normalised value (see <see cref="Normalize"/>).</summary>
    /// <param name="value">In [0, 1], or in [-1, 1] for <see cref="HeatmapSign.All"/>.</param>
    /// <param name="options">Sign mode and colour maps.</param>
    public static SKColor Colour(float value, HeatmapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Sign == HeatmapSign.All
            ? options.DivergingMap.Map((value + 1.0) / 2.0)
            : options.SequentialMap.Map(value);
    }

    /// <summary>The heat map alone (Captum's <c>heat_map</c> method).</summary>
    /// <param name="attribution">The attribution, planar <c>channels x height x width</c>.</param>
    /// <param name="channels">Channels of the attribution.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="options">Sign, outlier percentage and colour maps; default <see cref="HeatmapOptions"/>'s defaults.</param>
    public static SKBitmap Render(
        ReadOnlySpan<float> attribution, int channels, int height, int width, HeatmapOptions? options = null)
    {
        options ??= new HeatmapOptions();
        options.Validate();
        float[] normalized = Normalize(attribution, channels, height, width, options.Sign, options.OutlierPercent);
        SKBitmap bitmap = PlanarPixels.NewBitmap(width, height);
        Span<byte> bgra = PlanarPixels.PixelBytes(bitmap);
        for (int p = 0; p < normalized.Length; p++)
        {
            SKColor c = Colour(normalized[p], options);
            PlanarPixels.WriteBgra(bgra, p, c.Red, c.Green, c.Blue);
        }

        return bitmap;
    }

    /// <summary>
    /// The heat map laid over the input image (Captum's <c>blended_heat_map</c>): each output pixel is
    /// <c>(1 - alpha) * background + alpha * heat</c>, rounded, the background being the image in grey by default.
    /// </summary>
    /// <param name="attribution">The attribution, planar <c>channels x height x width</c>.</param>
    /// <param name="channels">Channels of the attribution.</param>
    /// <param name="height">Rows of both attribution and image.</param>
    /// <param name="width">Columns of both attribution and image.</param>
    /// <param name="image">The input image, planar <c>imageChannels x height x width</c>, bytes 0-255.</param>
    /// <param name="imageChannels">1 (grey) or 3 (RGB).</param>
    /// <param name="options">Sign, outlier percentage, opacity and colour maps.</param>
    public static SKBitmap Overlay(
        ReadOnlySpan<float> attribution, int channels, int height, int width,
        ReadOnlySpan<byte> image, int imageChannels, HeatmapOptions? options = null)
    {
        options ??= new HeatmapOptions();
        PlanarPixels.CheckChannels(imageChannels, nameof(imageChannels));
        PlanarPixels.CheckShape(image.Length, imageChannels, height, width, nameof(image));
        SKBitmap heat = Render(attribution, channels, height, width, options);
        Span<byte> bgra = PlanarPixels.PixelBytes(heat);
        int plane = height * width;
        double alpha = options.Alpha;
        bool grey = imageChannels == 1 || options.GreyBackground;
        for (int p = 0; p < plane; p++)
        {
            double mean = 0;
            if (grey)
            {
                for (int c = 0; c < imageChannels; c++)
                {
                    mean += image[c * plane + p];
                }

                mean /= imageChannels;
            }

            // BGRA holds blue at offset 0 and red at 2; planar RGB holds red in plane 0.
            for (int c = 0; c < 3; c++)
            {
                double background = grey ? mean : image[c * plane + p];
                int at = 4 * p + 2 - c;
                bgra[at] = (byte)Math.Round((1 - alpha) * background + alpha * bgra[at]);
            }
        }

        return heat;
    }

    /// <summary>
    /// <see cref="Overlay(ReadOnlySpan{float}, int, int, int, ReadOnlySpan{byte}, int, HeatmapOptions?)"/> for a
    /// floating-point image. As in Captum, an image whose maximum is at most 1 is taken to be in [0, 1] and scaled by
    /// 255; otherwise it is taken to be in [0, 255]. Values are clipped to that range.
    /// </summary>
    /// <param name="attribution">The attribution, planar <c>channels x height x width</c>.</param>
    /// <param name="channels">Channels of the attribution.</param>
    /// <param name="height">Rows of both attribution and image.</param>
    /// <param name="width">Columns of both attribution and image.</param>
    /// <param name="image">The input image, planar <c>imageChannels x height x width</c>.</param>
    /// <param name="imageChannels">1 (grey) or 3 (RGB).</param>
    /// <param name="options">Sign, outlier percentage, opacity and colour maps.</param>
    public static SKBitmap Overlay(
        ReadOnlySpan<float> attribution, int channels, int height, int width,
        ReadOnlySpan<float> image, int imageChannels, HeatmapOptions? options = null) =>
        Overlay(attribution, channels, height, width, PlanarPixels.ToBytes(image), imageChannels, options);

    /// <summary>
    /// <see cref="Overlay(ReadOnlySpan{float}, int, int, int, ReadOnlySpan{byte}, int, HeatmapOptions?)"/> over a
    /// bitmap of the attribution's size (its alpha is ignored).
    /// </summary>
    /// <param name="attribution">The attribution, planar <c>channels x height x width</c>.</param>
    /// <param name="channels">Channels of the attribution.</param>
    /// <param name="image">The input image, <c>width x height</c> as the attribution.</param>
    /// <param name="options">Sign, outlier percentage, opacity and colour maps.</param>
    /// <exception cref="ArgumentException">When the image's size differs from the attribution's.</exception>
    public static SKBitmap Overlay(
        ReadOnlySpan<float> attribution, int channels, SKBitmap image, HeatmapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        int height = image.Height, width = image.Width;
        if (attribution.Length != (long)channels * height * width)
        {
            throw new ArgumentException(
                $"The image is {width}x{height}, so a {channels}-channel attribution needs {(long)channels * height * width} " +
                $"values, but {attribution.Length} were given.", nameof(attribution));
        }

        return Overlay(attribution, channels, height, width, PlanarPixels.FromBitmap(image), 3, options);
    }
}
