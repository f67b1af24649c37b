namespace MLNetExplain.Evaluation;

/// <summary>Which square regions region perturbation may remove.</summary>
public enum RegionLayout
{
    /// <summary>A fixed grid of non-overlapping patches from the top-left corner (the last row and column may be cut by the border).</summary>
    Grid,

    /// <summary>
    /// Quantus's selection: a patch at every pixel (stride 1, reaching past the bottom and right border), taken in
    /// relevance order and skipped when it overlaps one already taken. Images may end with different region counts;
    /// the curve stops at the smallest.
    /// </summary>
    Sliding,
}
