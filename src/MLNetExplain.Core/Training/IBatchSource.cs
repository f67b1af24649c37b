using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// Gives a trainer its batches, one epoch at a time: images [B, C, H, W] in [0, 1] and int64 labels [B].
/// </summary>
/// <remarks>
/// The trainer enumerates each batch inside that step's dispose scope, so tensors the source creates for a batch
/// are freed after the step; tensors created before enumeration (a preloaded dataset) are not touched. Resuming
/// from a checkpoint relies on <see cref="Batches"/> giving the same batches for the same epoch.
/// </remarks>
public interface IBatchSource
{
    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based), the same on every call for the same epoch.</summary>
    /// <param name="epoch">The epoch.</param>
    IEnumerable<(Tensor Images, Tensor Labels)> Batches(int epoch);
}
