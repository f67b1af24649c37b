using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// How far a baseline method's attributions are from the completeness axiom (Sundararajan et al. 2017; Quantus's
/// <c>Completeness</c>, Captum's convergence delta): per image, |Σ a(x) - (F(x) - F(x'))| for the target logit F
/// and the baseline x'. F is evaluated here with the model, not taken from the method's own delta, so a method's
/// delta is checked rather than trusted. Exact for DeepLift on ReLU networks, small for Integrated Gradients with
/// enough steps.
/// </summary>
public static class CompletenessError
{
    /// <summary>Computes the completeness error of <paramref name="method"/> on a batch.</summary>
    /// <param name="model">The classifier the method explains (logits [N, K]), in eval mode during the call.</param>
    /// <param name="method">IG, DeepLift, GradientShap or any <see cref="IBaselineAttributionMethod"/>.</param>
    /// <param name="images">Images [N, C, H, W] on the model's device.</param>
    /// <param name="targets">The explained class per image, integral [N].</param>
    /// <param name="baselines">Baselines broadcastable to the images; null uses zeros (Captum's default), passed to the method too.</param>
    /// <param name="maxImagesPerCall">The most images per attribution call and forward pass.</param>
    /// <exception cref="ArgumentException">Bad shapes, targets or baselines.</exception>
    public static CompletenessResult Compute(nn.Module<Tensor, Tensor> model, IBaselineAttributionMethod method, Tensor images, Tensor targets,
        Tensor? baselines = null, int maxImagesPerCall = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxImagesPerCall, 1);
        AttributionInputs.Check(images, targets);
        AttributionInputs.CheckModel(model, images);
        using var scope = NewDisposeScope();
        var reference = Baselines.Resolve(baselines, images);
        var t = targets.to_type(ScalarType.Int64).to(images.device);
        var absolute = new List<double>();
        var relative = new List<double>();
        using var mode = new EvalMode(model);
        for (long first = 0; first < images.shape[0]; first += maxImagesPerCall)
        {
            using var chunk = NewDisposeScope();
            long count = Math.Min(maxImagesPerCall, images.shape[0] - first);
            var x = images.narrow(0, first, count);
            var b = reference.narrow(0, first, count);
            var y = t.narrow(0, first, count);
            var sum = method.Attribute(x, y, b).to_type(ScalarType.Float64).flatten(1).sum(1);
            Tensor difference;
            using (no_grad())
            {
                var logits = model.call(cat([x, b], 0));
                AttributionInputs.CheckOutput(logits, cat([y, y], 0), 2 * count);
                var scores = logits.gather(1, cat([y, y], 0).view(-1, 1)).squeeze(1).to_type(ScalarType.Float64);
                difference = scores.narrow(0, 0, count) - scores.narrow(0, count, count);
            }

            var error = (sum - difference).abs().cpu().data<double>().ToArray();
            var scale = difference.abs().cpu().data<double>().ToArray();
            absolute.AddRange(error);
            relative.AddRange(error.Select((e, i) => scale[i] > 0 ? e / scale[i] : e == 0 ? 0 : double.PositiveInfinity));
        }

        return new CompletenessResult([.. absolute], [.. relative], absolute.Average(), relative.Average());
    }
}
