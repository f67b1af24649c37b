using MLNetExplain.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// RISE deletion and insertion curves (Petsiuk et al. 2018): pixels are ranked by the map (summed over its
/// channels), and after each of <c>Steps</c> equal fractions the softmax probability of the class the model
/// predicted on the clean image is recorded. A perturbed pixel takes the substrate's value in every channel.
/// The area uses the trapezoid rule over the fraction axis [0, 1], i.e. (sum - s_0/2 - s_N/2) / N as in RISE.
/// </summary>
public static class DeletionCurve
{
    /// <summary>Computes the curve of <paramref name="model"/> on a batch, in eval mode (restored after), without gradients.</summary>
    /// <param name="model">A classifier returning logits [N, K].</param>
    /// <param name="images">Images [N, C, H, W] as the model takes them.</param>
    /// <param name="maps">Attribution maps [N, C', H, W] (any channel count; summed); larger means more important.</param>
    /// <param name="options">The settings; null takes the defaults (20 steps, deletion, zero substrate).</param>
    /// <exception cref="ArgumentException">Images or maps of the wrong shape or type.</exception>
    public static DeletionCurveResult Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor maps, DeletionCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(maps);
        var o = options ?? new DeletionCurveOptions();
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
        var (n, h, w) = (images.shape[0], images.shape[2], images.shape[3]);
        long pixels = h * w;
        // Chunked like the perturbed passes, so no forward holds more than MaxImagesPerForward images.
        var predicted = cat(Enumerable.Range(0, (int)((n + o.MaxImagesPerForward - 1) / o.MaxImagesPerForward))
            .Select(i => model.call(images.narrow(0, (long)i * o.MaxImagesPerForward, Math.Min(o.MaxImagesPerForward, n - (long)i * o.MaxImagesPerForward))).argmax(1))
            .ToList(), 0);
        var substrate = Substrate(images, o.Substrate, o.BlurKernelSize, o.BlurSigma);
        // rank[p] = position of pixel p in descending importance; pixel p is perturbed at step k when rank < cutoff_k.
        var ranks = maps.to_type(ScalarType.Float64).sum(1).view(n, pixels).to(images.device).argsort(1, descending: true).argsort(1);
        var cutoffs = tensor(Enumerable.Range(0, o.Steps + 1).Select(k => (long)Math.Round((double)k * pixels / o.Steps)).ToArray(), device: images.device);
        var curves = new double[n][];
        long imagesPerForward = Math.Max(1, o.MaxImagesPerForward / (o.Steps + 1));
        for (long first = 0; first < n; first += imagesPerForward)
        {
            using var chunk = NewDisposeScope();
            long count = Math.Min(imagesPerForward, n - first);
            var perturbed = ranks.narrow(0, first, count).unsqueeze(1).lt(cutoffs.view(1, -1, 1)); // [count, steps+1, HW]
            var keepImage = (o.Order == PerturbationOrder.Deletion ? perturbed.logical_not() : perturbed).to_type(images.dtype).view(count, o.Steps + 1, 1, h, w);
            var x = images.narrow(0, first, count).unsqueeze(1);
            var s = substrate.narrow(0, first, count).unsqueeze(1);
            var target = predicted.narrow(0, first, count).view(count, 1, 1);
            // More steps than fit in one forward (RISE uses 224): the steps go through in windows.
            long stepsPerForward = Math.Max(1, o.MaxImagesPerForward / count);
            var windows = new List<Tensor>();
            for (long step = 0; step <= o.Steps; step += stepsPerForward)
            {
                long length = Math.Min(stepsPerForward, o.Steps + 1 - step);
                var keep = keepImage.narrow(1, step, length);
                var batch = (x * keep + s * (1 - keep)).flatten(0, 1);
                var probabilities = nn.functional.softmax(model.call(batch), 1).view(count, length, -1);
                windows.Add(probabilities.gather(2, target.expand(count, length, 1)).squeeze(2));
            }

            var values = cat(windows, 1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            for (long i = 0; i < count; i++)
            {
                curves[first + i] = values.AsSpan((int)(i * (o.Steps + 1)), o.Steps + 1).ToArray();
            }
        }

        var mean = Enumerable.Range(0, o.Steps + 1).Select(k => curves.Average(c => c[k])).ToArray();
        return new DeletionCurveResult(mean, Area(mean), curves.Select(Area).ToArray());
    }

    /// <summary>The area under a curve sampled at equal steps over [0, 1] (trapezoid rule).</summary>
    /// <exception cref="ArgumentException">Fewer than two points.</exception>
    public static double Area(IReadOnlyList<double> curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Count < 2)
        {
            throw new ArgumentException("A curve needs at least two points.", nameof(curve));
        }

        double sum = 0;
        for (int k = 1; k < curve.Count; k++)
        {
            sum += (curve[k - 1] + curve[k]) / 2;
        }

        return sum / (curve.Count - 1);
    }

    /// <summary>What perturbed pixels of <paramref name="images"/> become, shaped like the images.</summary>
    internal static Tensor Substrate(Tensor images, PerturbationSubstrate substrate, int blurKernelSize, double blurSigma)
    {
        switch (substrate)
        {
            case PerturbationSubstrate.Zero:
                return zeros_like(images);
            case PerturbationSubstrate.Mean:
                return images.mean([2, 3], keepdim: true).expand_as(images);
            case PerturbationSubstrate.Blur:
                long c = images.shape[1], k = blurKernelSize, r = k / 2;
                var offsets = arange(-r, r + 1, dtype: ScalarType.Float64);
                var g = (-(offsets.square()) / (2 * blurSigma * blurSigma)).exp();
                var kernel = g.outer(g);
                kernel = (kernel / kernel.sum()).to_type(images.dtype).to(images.device).expand(c, 1, k, k).contiguous();
                // Edges replicated, so a constant image stays constant; RISE pads with zeros, which darkens the border.
                var padded = nn.functional.pad(images, [r, r, r, r], PaddingModes.Replicate);
                return nn.functional.conv2d(padded, kernel, groups: c);
            case PerturbationSubstrate.Minimum:
                return images.flatten(1).min(1).values.view(-1, 1, 1, 1).expand_as(images);
            default:
                throw new ArgumentOutOfRangeException(nameof(substrate), substrate, "Unknown substrate.");
        }
    }
}
