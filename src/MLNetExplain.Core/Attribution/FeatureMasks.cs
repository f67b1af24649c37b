using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Feature masks for the perturbation methods (<see cref="FeatureAblation"/>, <see cref="Lime"/>,
/// <see cref="KernelShap"/>), Captum's <c>feature_mask</c>: an integer group id per input element; elements sharing
/// an id are removed (set to the baseline) together and share one attribution.
/// </summary>
/// <remarks>
/// A mask may be shaped like one example ([C, H, W], or [1, H, W] to group the channels of a pixel), like the batch
/// ([N, C, H, W], one mask per example) or [1, C, H, W]; any dimension of size 1 broadcasts. Ids are non-negative
/// integers; as in Captum the number of features is the largest id + 1 over the whole mask, and ids need not all
/// occur.
/// </remarks>
public static class FeatureMasks
{
    /// <summary>
    /// A grid of square superpixels over images [C, H, W], the channels of a pixel together: shape [1, H, W] (Int64),
    /// cell (i, j) of side <paramref name="cellSize"/> holding id i * ceil(W / cellSize) + j in row-major order. The
    /// last row and column of cells are cut short when the side does not divide H or W.
    /// </summary>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <param name="cellSize">Side of a superpixel in pixels.</param>
    /// <returns>The mask [1, H, W]; the caller owns it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static Tensor Grid(long height, long width, int cellSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSize, 1);
        using var scope = NewDisposeScope();
        long columns = (width + cellSize - 1) / cellSize;
        var rows = arange(height, ScalarType.Int64).div(cellSize, RoundingMode.floor);
        var cols = arange(width, ScalarType.Int64).div(cellSize, RoundingMode.floor);
        return (rows.view(-1, 1) * columns + cols.view(1, -1)).unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Every scalar of one example its own feature (Captum's default mask): ids 0..numel-1 shaped like <paramref name="exampleShape"/>.</summary>
    /// <param name="exampleShape">The shape of one example, without the batch dimension.</param>
    /// <returns>The mask (Int64); the caller owns it.</returns>
    public static Tensor EveryElement(params long[] exampleShape)
    {
        ArgumentNullException.ThrowIfNull(exampleShape);
        return arange(exampleShape.Aggregate(1L, (a, b) => a * b), ScalarType.Int64).view(exampleShape);
    }

    /// <summary>
    /// The mask for <paramref name="inputs"/>: <paramref name="mask"/> checked and expanded to [1 or N, ...] (Int64,
    /// on the inputs' device), or, when null, a <see cref="Grid"/> of <paramref name="superpixelSize"/> or every
    /// element its own feature; with the number of features (largest id + 1).
    /// </summary>
    /// <exception cref="ArgumentException">The mask is not integral, does not broadcast to the inputs, or holds a
    /// negative id; or a superpixel grid was asked for on inputs that are not images [N, C, H, W].</exception>
    internal static (Tensor Mask, long Features) Resolve(Tensor? mask, Tensor inputs, int? superpixelSize, string superpixelOption)
    {
        long[] example = inputs.shape[1..];
        if (mask is null)
        {
            if (superpixelSize is { } size)
            {
                if (inputs.dim() != 4)
                {
                    throw new ArgumentException(
                        $"{superpixelOption} groups pixels of images [N, C, H, W]; got inputs [{AttributionInputs.Shape(inputs)}]. Pass a feature mask, or set {superpixelOption} to null for every element its own feature.",
                        superpixelOption);
                }

                var grid = Grid(inputs.shape[2], inputs.shape[3], size);
                long features = (grid.shape[1] + size - 1) / size * ((grid.shape[2] + size - 1) / size);
                return (grid.to(inputs.device).expand([1, .. example]), features);
            }

            var all = EveryElement(example).to(inputs.device).unsqueeze(0);
            return (all, all.numel());
        }

        if (!is_integral(mask.dtype) || mask.dtype == ScalarType.Bool)
        {
            throw new ArgumentException($"featureMask must hold integer group ids (e.g. Int64); got {mask.dtype}.", "featureMask");
        }

        var batched = mask.dim() == inputs.dim() - 1 ? mask.unsqueeze(0) : mask;
        bool fits = batched.dim() == inputs.dim() && (batched.shape[0] == 1 || batched.shape[0] == inputs.shape[0])
            && Baselines.Broadcasts(batched.shape[1..], example);
        if (!fits)
        {
            throw new ArgumentException(
                $"featureMask [{AttributionInputs.Shape(mask)}] must be shaped like one example [{string.Join(", ", example)}] or the batch [{AttributionInputs.Shape(inputs)}], with dimensions of size 1 broadcasting (e.g. [1, H, W] groups the channels of a pixel).",
                "featureMask");
        }

        if (mask.numel() == 0)
        {
            throw new ArgumentException("featureMask is empty.", "featureMask");
        }

        var ids = batched.to_type(ScalarType.Int64);
        long min = ids.min().item<long>();
        if (min < 0)
        {
            throw new ArgumentException($"featureMask ids must be non-negative; got {min}.", "featureMask");
        }

        long count = ids.max().item<long>() + 1;
        return (ids.to(inputs.device).expand([batched.shape[0], .. example]), count);
    }
}
