using MLNetExplain.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// Max-sensitivity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations"), with Quantus's
/// defaults: for each image, the largest change of its explanation under input noise,
/// max over δ ~ U(-r, r)^d of ‖a(x) - a(x + δ)‖_F / ‖x‖_F, the explanation of x + δ being for the same target
/// (r = 0.2, 200 samples). Lower is more robust. Options give Captum's <c>sensitivity_max</c> (no denominator,
/// r = 0.02, 10 samples), the relative change ‖·‖ / ‖a(x)‖_F, and Quantus's handling of samples that change the
/// predicted class.
/// </summary>
/// <remarks>
/// A zero denominator gives 0 when the numerator is 0 too, else +infinity. The noise of sample s is
/// drawn for the whole batch from one seeded generator, so a batch repeats exactly for a seed, and chunking
/// (<see cref="MaxSensitivityOptions.MaxImagesPerCall"/>) does not change the result; an image's noise depends on
/// its position in the batch.
/// </remarks>
public static class MaxSensitivity
{
    /// <summary>Computes max-sensitivity of <paramref name="method"/>'s explanations on a batch.</summary>
    /// <param name="model">The classifier (for the predicted-class check), in eval mode during the call.</param>
    /// <param name="method">The explanation under test, over <paramref name="model"/>.</param>
    /// <param name="images">Images [N, C, H, W] on the model's device.</param>
    /// <param name="targets">The explained class per image, integral [N] (Quantus explains the labels).</param>
    /// <param name="options">Settings; null takes the defaults.</param>
    /// <exception cref="ArgumentException">Bad shapes or options.</exception>
    public static MaxSensitivityResult Compute(nn.Module<Tensor, Tensor> model, IAttributionMethod method, Tensor images, Tensor targets,
        MaxSensitivityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(method);
        var o = options ?? new MaxSensitivityOptions();
        o.Validate();
        AttributionInputs.Check(images, targets);
        AttributionInputs.CheckModel(model, images);
        using var scope = NewDisposeScope();
        long n = images.shape[0];
        var clean = Explain(method, images, targets, o);
        var denominator = o.Normalization switch
        {
            SensitivityNormalization.Input => Norms(images.to_type(ScalarType.Float64)),
            SensitivityNormalization.Explanation => Norms(clean),
            _ => Enumerable.Repeat(1.0, (int)n).ToArray(),
        };
        bool check = o.ChangedPredictions != ChangedPredictionHandling.Keep;
        var predicted = check ? Predict(model, images, o) : null;
        var changed = new bool[n];
        var best = new double[n];
        Array.Fill(best, double.NegativeInfinity);
        var kept = new int[n];
        using var generator = new Generator(unchecked((ulong)o.Seed));
        for (int s = 0; s < o.Samples; s++)
        {
            using var sample = NewDisposeScope();
            var noise = rand(images.shape, ScalarType.Float32, generator: generator).mul_(2 * o.Radius).sub_(o.Radius);
            var perturbed = images + noise.to_type(images.dtype).to(images.device);
            var same = check ? Predict(model, perturbed, o).eq(predicted!).cpu().data<bool>().ToArray() : null;
            var change = Norms(Explain(method, perturbed, targets, o) - clean);
            for (long i = 0; i < n; i++)
            {
                if (same is not null && !same[i])
                {
                    changed[i] = true;
                    continue;
                }

                kept[i]++;
                double value = denominator[i] > 0 ? change[i] / denominator[i] : change[i] == 0 ? 0 : double.PositiveInfinity;
                best[i] = Math.Max(best[i], value);
            }
        }

        var values = best.Select((v, i) => kept[i] == 0 || (changed[i] && o.ChangedPredictions == ChangedPredictionHandling.NaN) ? double.NaN : v).ToArray();
        var valid = values.Where(v => !double.IsNaN(v)).ToArray();
        return new MaxSensitivityResult(values, valid.Length == 0 ? double.NaN : valid.Average(), kept);
    }

    private static Tensor Explain(IAttributionMethod method, Tensor images, Tensor targets, MaxSensitivityOptions o)
    {
        var parts = new List<Tensor>();
        for (long first = 0; first < images.shape[0]; first += o.MaxImagesPerCall)
        {
            long count = Math.Min(o.MaxImagesPerCall, images.shape[0] - first);
            var a = method.Attribute(images.narrow(0, first, count), targets.narrow(0, first, count));
            if (a.shape[0] != count)
            {
                throw new ArgumentException($"The method must return one map per image ({count}); it returned [{AttributionInputs.Shape(a)}].", nameof(method));
            }

            parts.Add(a.to_type(ScalarType.Float64));
        }

        return cat(parts, 0);
    }

    private static Tensor Predict(nn.Module<Tensor, Tensor> model, Tensor images, MaxSensitivityOptions o)
    {
        using var mode = new EvalMode(model);
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (long first = 0; first < images.shape[0]; first += o.MaxImagesPerCall)
        {
            parts.Add(model.call(images.narrow(0, first, Math.Min(o.MaxImagesPerCall, images.shape[0] - first))).argmax(1));
        }

        return cat(parts, 0);
    }

    private static double[] Norms(Tensor maps) => maps.flatten(1).square().sum(1).sqrt().cpu().data<double>().ToArray();
}
