using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Occlusion (Zeiler and Fergus 2014) with Captum's conventions (<c>Occlusion</c>, built on feature ablation): a
/// window slides over each example; at every position the window's elements take the baseline, and
/// F(x) - F(x occluded) for the target logit F is added to each of them; each element's attribution is the mean
/// over the windows that covered it.
/// </summary>
/// <remarks>
/// <para>
/// Per dimension the window takes ceil((D - W) / s) + 1 positions: the first at the corner, each next one s further,
/// the last cut short at the edge where s does not divide D - W. Seed 001's setting, window (3, 4, 4) with stride 2
/// on 3 x 32 x 32 images, takes 15 x 15 = 225 occluded forward passes plus one clean pass, and a pixel is covered by
/// 1 to 4 windows ([1, 1, 2, 2, ..., 2, 2, 1, 1] per axis).
/// </para>
/// <para>
/// Windows are visited in Captum's order and their differences added one at a time, so the result depends neither
/// on <see cref="OcclusionOptions.PerturbationsPerEval"/> nor on which other images share the batch. No gradients
/// are taken; the model runs in eval mode (restored after).
/// </para>
/// </remarks>
public sealed class Occlusion : AttributionMethod
{
    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified.</param>
    /// <param name="options">The settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public Occlusion(nn.Module<Tensor, Tensor> model, OcclusionOptions? options = null)
        : base(model)
    {
        Options = options ?? new OcclusionOptions();
        Options.Validate();
    }

    /// <inheritdoc />
    public override string Name => "Occlusion";

    /// <summary>The settings.</summary>
    public OcclusionOptions Options { get; }

    /// <summary>Attributions of <paramref name="inputs"/> occluded towards <paramref name="baselines"/>.</summary>
    /// <param name="inputs">A batch [N, ...] (images [N, C, H, W]), Float32 or Float64; not modified.</param>
    /// <param name="targets">Class index per example, integral [N].</param>
    /// <param name="baselines">What occluded elements become, broadcastable to the inputs; null takes
    /// <see cref="OcclusionOptions.BaselineValue"/>.</param>
    /// <returns>Attributions shaped like the inputs; the caller owns them.</returns>
    /// <exception cref="ArgumentException">The inputs, targets, baselines or the window do not fit (the message names which).</exception>
    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? baselines) =>
        Run(inputs, targets, (x, t) => Explain(x, t, baselines));

    /// <summary>The number of window positions (occluded forward passes of the batch at one per pass) for one example's shape.</summary>
    /// <param name="exampleShape">One example's shape without the batch dimension, e.g. [3, 32, 32].</param>
    /// <exception cref="ArgumentException">The window or strides do not fit the shape.</exception>
    public long WindowPositions(params long[] exampleShape)
    {
        ArgumentNullException.ThrowIfNull(exampleShape);
        return Plan(exampleShape).Positions.Aggregate(1L, (a, b) => a * b);
    }

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Explain(inputs, targets, null);

    private Tensor Explain(Tensor inputs, Tensor targets, Tensor? baselines)
    {
        long[] example = inputs.shape[1..];
        var (window, strides, positions) = Plan(example);
        var reference = Baselines.Resolve(baselines, inputs, Options.BaselineValue);
        long total = positions.Aggregate(1L, (a, b) => a * b);
        return FeatureAblation.Sweep(inputs, targets, reference, total,
            (start, count) => Windows(example, window, strides, positions, start, count, inputs.device),
            Options.PerturbationsPerEval, (x, t) => Scores(x, t, int.MaxValue), average: true);
    }

    /// <summary>Window positions start..start+count-1 as Bool masks [count, 1, ...]; the first dimension varies fastest (Captum's order).</summary>
    private static Tensor Windows(long[] example, long[] window, long[] strides, long[] positions, long start, long count, Device device)
    {
        var masks = zeros([count, 1, .. example], ScalarType.Bool, device);
        for (long j = 0; j < count; j++)
        {
            long remaining = start + j;
            var view = masks[j][0];
            for (int d = 0; d < example.Length; d++)
            {
                long offset = remaining % positions[d] * strides[d];
                remaining /= positions[d];
                view = view.narrow(d, offset, Math.Min(window[d], example[d] - offset));
            }

            view.fill_(true);
        }

        return masks;
    }

    /// <summary>The window, strides and positions per dimension for one example's shape, checked against Captum's rules.</summary>
    private (long[] Window, long[] Strides, long[] Positions) Plan(long[] example)
    {
        var o = Options;
        long[] window;
        if (o.WindowShape is { } shape)
        {
            if (shape.Length != example.Length)
            {
                throw new ArgumentException(
                    $"Occlusion's WindowShape [{string.Join(", ", shape)}] needs one size per example dimension [{string.Join(", ", example)}] (the batch dimension excluded).",
                    nameof(OcclusionOptions.WindowShape));
            }

            window = [.. shape.Select(w => (long)w)];
        }
        else if (example.Length == 3)
        {
            window = [example[0], o.WindowSize, o.WindowSize];
        }
        else
        {
            throw new ArgumentException(
                $"Occlusion's WindowSize applies to images [N, C, H, W]; for inputs with example shape [{string.Join(", ", example)}] set WindowShape.",
                nameof(OcclusionOptions.WindowShape));
        }

        for (int d = 0; d < example.Length; d++)
        {
            if (window[d] > example[d])
            {
                throw new ArgumentException(
                    $"Occlusion's window [{string.Join(", ", window)}] exceeds the example shape [{string.Join(", ", example)}] in dimension {d}.",
                    o.WindowShape is null ? nameof(OcclusionOptions.WindowSize) : nameof(OcclusionOptions.WindowShape));
            }
        }

        int[] given = o.Strides ?? [1];
        if (given.Length != 1 && given.Length != example.Length)
        {
            throw new ArgumentException(
                $"Occlusion's Strides [{string.Join(", ", given)}] needs one entry, or one per example dimension ({example.Length}).",
                nameof(OcclusionOptions.Strides));
        }

        long[] strides = [.. Enumerable.Range(0, example.Length).Select(d => (long)given[given.Length == 1 ? 0 : d])];
        var positions = new long[example.Length];
        for (int d = 0; d < example.Length; d++)
        {
            long room = example[d] - window[d];
            if (room > 0 && strides[d] > window[d])
            {
                // A stride past the window would leave elements no window covers (their count would be 0).
                throw new ArgumentException(
                    $"Occlusion's stride {strides[d]} exceeds the window {window[d]} in dimension {d}, where the window is smaller than the input ({example[d]}).",
                    nameof(OcclusionOptions.Strides));
            }

            positions[d] = (room + strides[d] - 1) / strides[d] + 1;
        }

        return (window, strides, positions);
    }
}
