using MLNetExplain.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// Region perturbation (Samek et al. 2016, "Evaluating the visualization of what a deep neural network has
/// learned"), with Quantus's conventions: square regions are ranked by the sum of the map inside them, removed
/// cumulatively (replaced by a substrate in every channel), and the drop of the target's score
/// f(x) - f(x_k) is recorded after each region. AOPC = 1/(L+1) Σ_{k=0..L} (f(x) - f(x_k)); with MoRF a larger
/// AOPC means a more faithful map.
/// </summary>
/// <remarks>
/// Ties between region sums keep region order (row-major by top-left corner) in both MoRF and LeRF. Quantus
/// normalises maps with <c>normalise_by_negative</c> before summing, which can reorder regions whose sums mix
/// signs; this ranks the raw sums (identical for non-negative maps). Quantus's curve omits the k = 0 entry and its
/// <c>get_auc_score</c> is the trapezoid area of that curve; <see cref="DeletionCurve.Area"/> and the image curves
/// give both if needed.
/// </remarks>
public static class RegionPerturbation
{
    /// <summary>Computes the curve on a batch, in eval mode (restored after), without gradients.</summary>
    /// <param name="model">A classifier returning logits [N, K].</param>
    /// <param name="images">Images [N, C, H, W] as the model takes them.</param>
    /// <param name="maps">Attribution maps [N, C', H, W] (channels summed into the region sums).</param>
    /// <param name="targets">The scored class per image, integral [N]; null scores the class predicted on the clean image.</param>
    /// <param name="options">Settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">Bad shapes or options.</exception>
    public static RegionPerturbationResult Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, Tensor? targets = null,
        RegionPerturbationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(maps);
        var o = options ?? new RegionPerturbationOptions();
        o.Validate();
        if (images.dim() != 4 || !images.is_floating_point() || images.shape[0] < 1)
        {
            throw new ArgumentException($"images must be floating point [N, C, H, W]; got {images.dtype} [{AttributionInputs.Shape(images)}].", nameof(images));
        }

        if (maps.dim() != 4 || maps.shape[0] != images.shape[0] || maps.shape[2] != images.shape[2] || maps.shape[3] != images.shape[3])
        {
            throw new ArgumentException($"maps must be [{images.shape[0]}, C', {images.shape[2]}, {images.shape[3]}] (one map per image, at its size); got [{AttributionInputs.Shape(maps)}].", nameof(maps));
        }

        using var mode = new EvalMode(model);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int n = (int)images.shape[0], h = (int)images.shape[2], w = (int)images.shape[3];
        var y = targets is null ? Predicted(model, images, o.MaxImagesPerForward) : CheckTargets(targets, n).to(images.device);
        if (targets is not null)
        {
            AttributionInputs.CheckOutput(model.call(images.narrow(0, 0, 1)).expand(n, -1), y, n);
        }

        var sums = (o.Absolute ? maps.abs() : maps).to_type(ScalarType.Float64).sum(1).cpu().data<double>().ToArray();
        using var generator = new Generator(unchecked((ulong)o.Seed));
        var orders = Enumerable.Range(0, n).Select(i => Regions(sums.AsSpan(i * h * w, h * w), h, w, o, generator)).ToArray();
        int steps = Math.Min(o.Regions, orders.Min(r => r.Count));
        // step[p] = the step (1-based) whose region removes pixel p; pixels never removed get steps + 1.
        var step = new long[n * h * w];
        Array.Fill(step, steps + 1L);
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < steps; k++)
            {
                var (top, left, bottom, right) = orders[i][k];
                for (int r = Math.Max(top, 0); r < Math.Min(bottom, h); r++)
                {
                    for (int c = Math.Max(left, 0); c < Math.Min(right, w); c++)
                    {
                        step[i * h * w + r * w + c] = Math.Min(step[i * h * w + r * w + c], k + 1);
                    }
                }
            }
        }

        var removedAt = tensor(step, [n, h * w]).to(images.device);
        var substrate = DeletionCurve.Substrate(images, o.Substrate, o.BlurKernelSize, o.BlurSigma);
        var ks = arange(steps + 1, dtype: ScalarType.Int64, device: images.device);
        var curves = new double[n][];
        long imagesPerForward = Math.Max(1, o.MaxImagesPerForward / (steps + 1));
        for (long first = 0; first < n; first += imagesPerForward)
        {
            using var chunk = NewDisposeScope();
            long count = Math.Min(imagesPerForward, n - first);
            var removed = removedAt.narrow(0, first, count).unsqueeze(1).le(ks.view(1, -1, 1)).to_type(images.dtype).view(count, steps + 1, 1, h, w);
            var x = images.narrow(0, first, count).unsqueeze(1);
            var s = substrate.narrow(0, first, count).unsqueeze(1);
            var target = y.narrow(0, first, count).view(count, 1, 1);
            long stepsPerForward = Math.Max(1, o.MaxImagesPerForward / count);
            var windows = new List<Tensor>();
            for (long k = 0; k <= steps; k += stepsPerForward)
            {
                long length = Math.Min(stepsPerForward, steps + 1 - k);
                var mask = removed.narrow(1, k, length);
                var logits = model.call((x * (1 - mask) + s * mask).flatten(0, 1));
                var scores = o.UseProbabilities ? nn.functional.softmax(logits, 1) : logits;
                windows.Add(scores.view(count, length, -1).gather(2, target.expand(count, length, 1)).squeeze(2));
            }

            var values = cat(windows, 1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            for (long i = 0; i < count; i++)
            {
                var v = values.AsSpan((int)(i * (steps + 1)), steps + 1);
                double clean = v[0];
                curves[first + i] = v.ToArray().Select(f => clean - f).ToArray();
            }
        }

        var mean = Enumerable.Range(0, steps + 1).Select(k => curves.Average(c => c[k])).ToArray();
        var aopcs = curves.Select(c => c.Average()).ToArray();
        return new RegionPerturbationResult(mean, mean.Average(), curves, aopcs, steps);
    }

    // The regions of one image in removal order, as [top, bottom) x [left, right) rectangles.
    private static List<(int Top, int Left, int Bottom, int Right)> Regions(ReadOnlySpan<double> map, int h, int w, RegionPerturbationOptions o, Generator generator)
    {
        int p = o.PatchSize;
        int stride = o.Layout == RegionLayout.Grid ? p : 1;
        var candidates = new List<(int Top, int Left, int Bottom, int Right)>();
        var sums = new List<double>();
        for (int top = 0; top < h; top += stride)
        {
            for (int left = 0; left < w; left += stride)
            {
                double sum = 0;
                for (int r = top; r < Math.Min(top + p, h); r++)
                {
                    for (int c = left; c < Math.Min(left + p, w); c++)
                    {
                        sum += map[r * w + c];
                    }
                }

                candidates.Add((top, left, top + p, left + p));
                sums.Add(sum);
            }
        }

        int[] order;
        if (o.Order == RegionOrder.Random)
        {
            using var permutation = randperm(candidates.Count, generator: generator);
            order = permutation.data<long>().Select(i => (int)i).ToArray();
        }
        else
        {
            // OrderBy is stable: equal sums keep region order in both directions.
            order = o.Order == RegionOrder.MostRelevantFirst
                ? Enumerable.Range(0, candidates.Count).OrderByDescending(i => sums[i]).ToArray()
                : Enumerable.Range(0, candidates.Count).OrderBy(i => sums[i]).ToArray();
        }

        var chosen = new List<(int Top, int Left, int Bottom, int Right)>();
        foreach (int i in order)
        {
            var c = candidates[i];
            if (chosen.All(d => c.Bottom <= d.Top || d.Bottom <= c.Top || c.Right <= d.Left || d.Right <= c.Left))
            {
                chosen.Add(c);
                if (chosen.Count == o.Regions)
                {
                    break;
                }
            }
        }

        return chosen;
    }

    private static Tensor Predicted(nn.Module<Tensor, Tensor> model, Tensor images, int maxPerForward)
    {
        var parts = new List<Tensor>();
        for (long first = 0; first < images.shape[0]; first += maxPerForward)
        {
            parts.Add(model.call(images.narrow(0, first, Math.Min(maxPerForward, images.shape[0] - first))).argmax(1));
        }

        return cat(parts, 0);
    }

    private static Tensor CheckTargets(Tensor targets, long n)
    {
        if (targets.dim() != 1 || targets.shape[0] != n || !is_integral(targets.dtype))
        {
            throw new ArgumentException($"targets must be integer class indices [{n}]; got {targets.dtype} [{AttributionInputs.Shape(targets)}].", nameof(targets));
        }

        return targets.to_type(ScalarType.Int64);
    }
}
