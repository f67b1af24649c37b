using Microsoft.ML;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// One column a <see cref="BatchedTensorMap"/> appends: its name and its per-row shape as a function of the input
/// image shape [C, H, W]. By default an image-shaped Single-vector map (with the image-shape annotation).
/// </summary>
/// <param name="Name">The column name.</param>
/// <param name="Dimensions">The per-row shape for an input image shape.</param>
internal sealed record TensorOutputColumn(string Name, Func<int[], int[]> Dimensions)
{
    /// <summary>Whether the column is a map over the image (gets the image-shape annotation); false for e.g. scores.</summary>
    public bool IsImageMap { get; init; } = true;

    /// <summary>
    /// When set, the column is a UInt32 key of this many classes: the computed tensor holds one 0-based class index
    /// per row, served as the 1-based key (ML.NET's convention; 0 is missing).
    /// </summary>
    public int? KeyCount { get; init; }

    /// <summary>Annotations of the column, e.g. the slot names of a score vector or the key values of a label.</summary>
    public DataViewSchema.Annotations? Annotations { get; init; }
}
