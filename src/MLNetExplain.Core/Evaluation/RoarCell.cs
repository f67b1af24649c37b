using System.Globalization;

namespace MLNetExplain.Evaluation;

/// <summary>
/// One retraining of a ROAR/KAR grid: a ranking (method), a mode, a replaced fraction and a seed. The unmodified
/// baseline is the cell (<see cref="RoarCell.UnmodifiedMethod"/>, <see cref="RoarMode.Roar"/>, 0, seed).
/// </summary>
/// <param name="Method">The ranking's name (<see cref="RoarAttributions.Name"/>).</param>
/// <param name="Mode">ROAR or KAR.</param>
/// <param name="Ratio">The fraction of the features replaced, in [0, 1).</param>
/// <param name="Seed">The retraining seed.</param>
public sealed record RoarCell(string Method, RoarMode Mode, double Ratio, long Seed)
{
    /// <summary>The method name of the cells trained on unmodified data.</summary>
    public const string UnmodifiedMethod = "Unmodified";

    /// <summary>A stable text key for files and dictionaries, e.g. <c>Saliency/Roar/0.2/seed1</c>.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Method}/{Mode}/{Ratio:R}/seed{Seed}");
}
