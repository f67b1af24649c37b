using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// A method's |map| averaged over non-overlapping square blocks and spread back over each block: the same evidence
/// at a coarser grain. The reproduce job uses it to test whether per-pixel ROAR on 28x28 images rewards a map's
/// content or merely removal in contiguous blocks (as Occlusion's and Feature Ablation's maps are made of).
/// </summary>
internal sealed class BlockPooled(IAttributionMethod inner, int block) : IAttributionMethod, IDisposable
{
    /// <inheritdoc />
    public string Name => $"{inner.Name} ({block}x{block} blocks)";

    /// <inheritdoc />
    public Tensor Attribute(Tensor inputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var maps = inner.Attribute(inputs, targets).abs();
        long h = maps.shape[2], w = maps.shape[3];
        if (h % block != 0 || w % block != 0)
        {
            throw new ArgumentException($"Maps of {h}x{w} do not split into {block}x{block} blocks.", nameof(inputs));
        }

        var pooled = nn.functional.avg_pool2d(maps, block);
        return pooled.repeat_interleave(block, 2).repeat_interleave(block, 3).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => (inner as IDisposable)?.Dispose();
}
