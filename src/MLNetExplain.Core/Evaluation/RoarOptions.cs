namespace MLNetExplain.Evaluation;

/// <summary>
/// Options of <see cref="RoarEvaluator"/>. Defaults: replaced fractions 20/40/60/80 % (the paper-(a) setting),
/// both modes, three seeds, per-element ranking by |attribution| (Hooker et al.'s reference code).
/// </summary>
public sealed record RoarOptions
{
    /// <summary>Fractions of the features replaced, each in (0, 1). Default 0.2, 0.4, 0.6, 0.8.</summary>
    public IReadOnlyList<double> Ratios { get; init; } = [0.2, 0.4, 0.6, 0.8];

    /// <summary>The modes evaluated. Default ROAR and KAR.</summary>
    public IReadOnlyList<RoarMode> Modes { get; init; } = [RoarMode.Roar, RoarMode.Kar];

    /// <summary>One retraining per seed for every (method, mode, ratio). Default 0, 1, 2 (Hooker et al. use five).</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [0, 1, 2];

    /// <summary>Rank single elements or whole pixels. Default <see cref="RankingGranularity.Element"/>.</summary>
    public RankingGranularity Granularity { get; init; } = RankingGranularity.Element;

    /// <summary>
    /// Rank by |attribution| (default; the same order as Hooker et al.'s default <c>squared_value=True</c>); false
    /// ranks signed values, so negative evidence counts as least important.
    /// </summary>
    public bool Absolute { get; init; } = true;

    /// <summary>
    /// The replacement value per channel, or null (default) for the training set's per-channel mean (Hooker et al.).
    /// A constant equal to the background (e.g. [0] on Fashion-MNIST and MNIST, whose background is black) makes a
    /// removed region indistinguishable from background: with the mean, the removed region's outline itself can tell
    /// the retrained model the object's shape (docs/evaluation.md).
    /// </summary>
    public IReadOnlyList<double>? Fill { get; init; }

    /// <summary>Also retrain on the unmodified data once per seed (the curves' ratio-0 point). Default true.</summary>
    public bool IncludeUnmodified { get; init; } = true;

    /// <summary>Images per attribution call and per masking chunk (bounds memory). Results do not depend on it.</summary>
    public int BatchSize { get; init; } = 256;

    internal void Validate()
    {
        if (Ratios is null || Ratios.Count == 0 || Ratios.Any(r => !(r > 0 && r < 1)) || Ratios.Distinct().Count() != Ratios.Count)
        {
            throw new ArgumentException($"RoarOptions.Ratios must list distinct fractions in (0, 1); got [{string.Join(", ", Ratios ?? [])}].", "options");
        }

        if (Modes is null || Modes.Count == 0 || Modes.Any(m => !Enum.IsDefined(m)) || Modes.Distinct().Count() != Modes.Count)
        {
            throw new ArgumentException("RoarOptions.Modes must list distinct modes.", "options");
        }

        if (Seeds is null || Seeds.Count == 0 || Seeds.Distinct().Count() != Seeds.Count)
        {
            throw new ArgumentException("RoarOptions.Seeds must list at least one seed, without repeats.", "options");
        }

        if (Fill is { } fill && (fill.Count == 0 || fill.Any(v => !double.IsFinite(v))))
        {
            throw new ArgumentException($"RoarOptions.Fill must list one finite value per channel (or be null for the channel mean); got [{string.Join(", ", fill)}].", "options");
        }

        if (!Enum.IsDefined(Granularity) || BatchSize < 1)
        {
            throw new ArgumentException($"RoarOptions needs a known Granularity and BatchSize >= 1; got {Granularity}, {BatchSize}.", "options");
        }
    }
}
