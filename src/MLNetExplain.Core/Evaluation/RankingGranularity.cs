namespace MLNetExplain.Evaluation;

/// <summary>What one ranked feature is when attributions order the input.</summary>
public enum RankingGranularity
{
    /// <summary>
    /// Every element (channel, row, column) on its own, as Hooker et al.'s reference code ranks them; the map must
    /// have the image's channels.
    /// </summary>
    Element,

    /// <summary>
    /// A pixel with all its channels: the map's channels are averaged into one score per pixel, and a replaced pixel
    /// is replaced in every channel (the SIAnalytics CIFAR-10 ROAR, the spatial variant).
    /// </summary>
    Pixel,
}
