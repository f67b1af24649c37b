using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Evaluation;

/// <summary>Whether pixels are removed from the image or revealed on the substrate.</summary>
public enum PerturbationOrder
{
    /// <summary>Deletion: start from the image and remove the most important pixels first (lower area is better).</summary>
    Deletion,
    /// <summary>Insertion: start from the substrate and reveal the most important pixels first (higher area is better).</summary>
    Insertion,
}

/// <summary>
/// RISE-style deletion and insertion curves (Petsiuk et al. 2018): pixels are ranked by the map (summed over its
/// channels), and after each of <c>steps</c> equal fractions the probability of the class the model predicted on the
/// clean image is recorded. Removed pixels take the substrate value in every channel (0: black, RISE's deletion
/// substrate). The area under the curve uses the trapezoid rule over the fraction axis [0, 1].
/// </summary>
public static class DeletionCurve
{
    /// <summary>
    /// The mean curve over the batch: entry k is the mean probability after perturbing k/steps of the pixels.
    /// <paramref name="images"/> is [N, C, H, W] as the model takes it, <paramref name="maps"/> [N, C', H, W].
    /// </summary>
    public static double[] Compute(Func<Tensor, Tensor> forward, Tensor images, Tensor maps, int steps = 20,
        PerturbationOrder order = PerturbationOrder.Deletion, double substrate = 0)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (maps.Size(0) != images.Size(0) || maps.Size(2) != images.Size(2) || maps.Size(3) != images.Size(3))
        {
            throw new ArgumentException($"Maps [{string.Join(", ", maps.Shape)}] do not match images [{string.Join(", ", images.Shape)}].");
        }

        using var scope = Torch.Torch.NewDisposeScope();
        using var noGrad = Torch.Torch.NoGrad();
        var (n, c, h, w) = (images.Size(0), images.Size(1), images.Size(2), images.Size(3));
        var pixels = h * w;
        var predicted = forward(images).Argmax(1);
        // rank[p] = position of pixel p in descending importance; a pixel is perturbed at step k when rank < k*HW/steps.
        var ranks = maps.Sum(1).View(n, pixels).Argsort(1, descending: true).Argsort(1);
        var cutoffs = Tensor.Arange(0, steps + 1, 1, ScalarType.Float64).Mul_((double)pixels / steps).Round().To(ScalarType.Int64);
        var curve = new double[steps + 1];
        for (var i = 0; i < n; i++)
        {
            using var imageScope = Torch.Torch.NewDisposeScope();
            var perturbed = ranks.Select(0, i).Unsqueeze(0).Lt(cutoffs.Unsqueeze(1)); // [steps+1, HW]
            var keep = order == PerturbationOrder.Deletion ? perturbed.LogicalNot() : perturbed;
            var mask = keep.To(images.Type).View(steps + 1, 1, h, w);
            var batch = images.Select(0, i).Unsqueeze(0) * mask + (1 - mask) * substrate;
            var probabilities = Functional.Softmax(forward(batch), 1).Select(1, predicted.Select(0, i).Item<long>()).To(ScalarType.Float64).ToArray<double>();
            for (var k = 0; k <= steps; k++)
            {
                curve[k] += probabilities[k] / n;
            }
        }

        return curve;
    }

    /// <summary>The area under a curve sampled at equal steps over [0, 1] (trapezoid rule).</summary>
    public static double Area(IReadOnlyList<double> curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Count < 2)
        {
            throw new ArgumentException("A curve needs at least two points.", nameof(curve));
        }

        var sum = 0.0;
        for (var k = 1; k < curve.Count; k++)
        {
            sum += (curve[k - 1] + curve[k]) / 2;
        }

        return sum / (curve.Count - 1);
    }
}
