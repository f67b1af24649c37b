namespace MLNetExplain.Evaluation;

/// <summary>Options of <see cref="ModelRandomization"/>. Defaults follow Quantus's <c>MPRT</c>.</summary>
public sealed record ModelRandomizationOptions
{
    /// <summary>Order of randomisation. Default top-down cascading.</summary>
    public LayerOrder Order { get; init; } = LayerOrder.TopDown;

    /// <summary>
    /// Seed: every layer is re-initialised from a generator seeded with Seed + 1, as Quantus calls
    /// <c>torch.manual_seed(seed + 1)</c> before each <c>reset_parameters()</c>. Default 42.
    /// </summary>
    public long Seed { get; init; } = 42;

    /// <summary>Compare |a| rather than a (Quantus <c>abs=True</c>). Default true.</summary>
    public bool Absolute { get; init; } = true;

    /// <summary>Divide each map by its max |value| before comparing (Quantus <c>normalise=True</c>, normalise_by_max); only SSIM notices. Default true.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Side of SSIM's uniform window (scikit-image's 7).</summary>
    public int SsimWindowSize { get; init; } = 7;

    /// <summary>The most images per attribution call.</summary>
    public int MaxImagesPerCall { get; init; } = 256;

    internal void Validate()
    {
        if (!Enum.IsDefined(Order) || MaxImagesPerCall < 1 || SsimWindowSize < 1 || SsimWindowSize % 2 == 0)
        {
            throw new ArgumentException($"ModelRandomization needs a known Order, MaxImagesPerCall >= 1 and an odd SsimWindowSize; got {this}.", "options");
        }
    }
}
