using System.Globalization;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// One table row: our samples under <see cref="OurKey"/> against the peer's under <see cref="PeerKey"/> (either may
/// be null for a one-sided row), formatted by <see cref="Format"/>.
/// </summary>
internal sealed record Row(string Label, string? OurKey, string? PeerKey, Func<double?, string> Format)
{
    /// <summary>Milliseconds, with images per second when <paramref name="batch"/> is given.</summary>
    public static Func<double?, string> Ms(int? batch = null) => v =>
        v is { } ms && batch is { } b
            ? Report.Num(ms, "F1", " ms") + $" ({(b * 1000 / ms).ToString("F0", CultureInfo.InvariantCulture)} img/s)"
            : Report.Num(v, v < 10 ? "F2" : "F1", " ms");

    /// <summary>Milliseconds per image of a call on <paramref name="batch"/> images.</summary>
    public static Func<double?, string> MsPerImage(int batch) => v => Report.Num(v / batch, "F2", " ms");

    /// <summary>Nanoseconds per operation.</summary>
    public static Func<double?, string> Ns => v => Report.Num(v, v < 10 ? "F2" : "F0", " ns");
}

/// <summary>
/// A side-by-side benchmark: what one round of ours measures, which peer_torch.py section measures the same, and
/// the rows of the table. <see cref="SideBySide"/> runs the rounds.
/// </summary>
internal abstract class Section
{
    /// <summary>The <c>--only</c> name, also the peer's section name.</summary>
    public abstract string Name { get; }

    public abstract string Title(Settings settings);

    public abstract IReadOnlyList<Row> Rows(Settings settings);

    /// <summary>Measures one round of our side into <paramref name="into"/>.</summary>
    public abstract void MeasureOurs(Settings settings, Samples into);

    /// <summary>Whether the Python peer measures this section too.</summary>
    public virtual bool HasPeer => true;

    /// <summary>Arguments for peer_torch.py beyond the common ones.</summary>
    public virtual IEnumerable<string> PeerArguments(Settings settings) => [];

    /// <summary>Lines printed under the table.</summary>
    public virtual IEnumerable<string> Notes(Settings settings, Samples ours, Samples peer) => [];
}
