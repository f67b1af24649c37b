namespace MLNetExplain.ML.Imaging;

/// <summary>How <see cref="HeatmapRenderer"/> turns attributions into colours; the defaults are Captum's
/// <c>visualize_image_attr</c> defaults where Captum has one.</summary>
public record HeatmapOptions
{
    /// <summary>Which attributions to show. Default <see cref="HeatmapSign.Absolute"/>, as in Captum.</summary>
    public HeatmapSign Sign { get; init; } = HeatmapSign.Absolute;

    /// <summary>
    /// Percentage of the total attribution mass, taken from the largest values, that saturates at full colour.
    /// Default 2, as Captum's <c>outlier_perc</c>; 0 scales by the maximum.
    /// </summary>
    public double OutlierPercent { get; init; } = 2.0;

    /// <summary>Opacity of the heat map over the image in overlays: 0 shows only the image, 1 only the heat map.
    /// Default 0.5, as Captum's <c>alpha_overlay</c>.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Colours for <see cref="HeatmapSign.Absolute"/>, <see cref="HeatmapSign.Positive"/> and
    /// <see cref="HeatmapSign.Negative"/>. Default <see cref="ColorMap.Viridis"/>.</summary>
    public ColorMap SequentialMap { get; init; } = ColorMap.Viridis;

    /// <summary>Colours for <see cref="HeatmapSign.All"/>, with -1 at 0, zero at 0.5 and +1 at 1.
    /// Default <see cref="ColorMap.BlueWhiteRed"/>.</summary>
    public ColorMap DivergingMap { get; init; } = ColorMap.BlueWhiteRed;

    /// <summary>
    /// Whether overlays draw the image in grey (the mean of its channels) under the heat map, as Captum's
    /// <c>blended_heat_map</c> does, so the image's own colours do not compete with the map's. Default true.
    /// </summary>
    public bool GreyBackground { get; init; } = true;

    /// <summary>Checks the ranges, naming the offending property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When a value is out of range.</exception>
    /// <exception cref="ArgumentNullException">When a colour map is missing.</exception>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(Sign))
        {
            throw new ArgumentOutOfRangeException(nameof(Sign), Sign, "Unknown sign mode.");
        }

        if (OutlierPercent is < 0 or > 100 || double.IsNaN(OutlierPercent))
        {
            throw new ArgumentOutOfRangeException(nameof(OutlierPercent), OutlierPercent, "Must be between 0 and 100.");
        }

        if (Alpha is < 0 or > 1 || double.IsNaN(Alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Must be between 0 and 1.");
        }

        ArgumentNullException.ThrowIfNull(SequentialMap, nameof(SequentialMap));
        ArgumentNullException.ThrowIfNull(DivergingMap, nameof(DivergingMap));
    }
}
