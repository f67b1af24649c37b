namespace MLNetExplain.Attribution;

/// <summary>How an attribution's channels are combined into one map.</summary>
public enum ChannelReduction
{
    /// <summary>Keep every channel: the map has the input's shape [C, H, W].</summary>
    None,

    /// <summary>Sum over channels (Captum's visualisation convention): [1, H, W].</summary>
    Sum,

    /// <summary>Mean over channels: [1, H, W].</summary>
    Mean,

    /// <summary>The largest absolute value over channels (Simonyan et al.'s saliency map): [1, H, W].</summary>
    MaxAbs,
}
