using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.Evaluation;
using MLNetExplain.ML.Stages;
using MLNetExplain.ML.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Demo;

/// <summary>
/// The three maps the demo compares (saliency of f, robust attribution of f', the explainer of f) on test images,
/// and their measurements: the grid's rows, latency side by side, deletion curves.
/// </summary>
internal sealed class DemoMaps(MLContext mlContext, ExplainedImageClassificationTransformer explained, ImageClassificationTransformer robust,
    IDataView test, DemoOptions options)
{
    /// <summary>
    /// The grid's rows, the way an ML.NET user gets them: the explained classifier's Explanation column, and the
    /// Saliency and RobustAttribution stages appended to its output.
    /// </summary>
    public IReadOnlyList<GridRow> GridRows(int count)
    {
        var rows = mlContext.Data.TakeRows(test, count);
        var scored = explained.Transform(rows);
        var withMaps = mlContext.Transforms.Saliency(explained.Model, outputColumnName: "Saliency")
            .Append(mlContext.Transforms.RobustAttribution(robust.Model, new RobustAttributionOptions
            {
                SmoothGrad = new SmoothGradOptions { Samples = options.Samples, Seed = options.Seed },
            }))
            .Fit(scored).Transform(scored);
        var images = withMaps.GetColumn<float[]>("Features").ToList();
        var labels = withMaps.GetColumn<uint>("Label").ToList();
        var predicted = withMaps.GetColumn<uint>("PredictedLabel").ToList();
        var saliency = withMaps.GetColumn<float[]>("Saliency").ToList();
        var robustMaps = withMaps.GetColumn<float[]>("RobustAttribution").ToList();
        var explainer = withMaps.GetColumn<float[]>("Explanation").ToList();
        return [.. images.Select((image, i) => new GridRow(image, (int)labels[i] - 1, (int)predicted[i] - 1, saliency[i], robustMaps[i], explainer[i]))];
    }

    /// <summary>
    /// Per-image latency of the explainer (prediction and map in one forward pass) against saliency of the same f,
    /// measured side by side at batch 1 and 64, and SmoothGrad-50 at batch 1 for scale.
    /// </summary>
    /// <remarks>
    /// The methods alternate in rounds, and each round keeps the fastest of a few runs per method; the figure is
    /// the median over the rounds. On a shared machine a run that another process preempts is several times
    /// slower, and plain medians then measure the neighbours, not the methods.
    /// </remarks>
    public IReadOnlyList<LatencyRow> MeasureLatency(CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var (x, _) = LabelledImages.Read(mlContext, test, 64);
        var model = explained.Model;
        var saliency = new Saliency(model);
        using var smoothGrad = new SmoothGrad(model, new SmoothGradOptions { Samples = 50, Seed = options.Seed });
        // Saliency gets its classes given, so it runs one forward and one backward pass: the least any gradient map
        // costs. Explaining the predicted class would need the prediction first, which the explainer includes.
        var targets = model.Explain(x).Predicted;
        var operations = new List<(string Method, int BatchSize, Action Run)>();
        foreach (int size in new[] { 1, (int)x.shape[0] })
        {
            var (input, classes) = (x.narrow(0, 0, size), targets.narrow(0, 0, size));
            operations.Add(("Explainer (prediction + map)", size, () => model.Explain(input)));
            operations.Add(("Saliency", size, () => saliency.Attribute(input, classes)));
        }

        var (one, oneClass) = (x.narrow(0, 0, 1), targets.narrow(0, 0, 1));
        operations.Add(("SmoothGrad-50", 1, () => smoothGrad.Attribute(one, oneClass)));

        int rounds = options.LatencyRounds;
        var fastest = operations.Select(_ => new double[rounds]).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int k = 0; k < operations.Count; k++)
            {
                var run = operations[k].Run;
                fastest[k][round] = Latency.Measure(() =>
                {
                    using var s = NewDisposeScope();
                    run();
                }, runs: 5, warmup: round == 0 ? 3 : 1).MinMilliseconds;
            }
        }

        return [.. operations.Select((o, k) =>
        {
            var times = fastest[k].Order().ToArray();
            return new LatencyRow(o.Method, o.BatchSize, new LatencyResult(times[rounds / 2], times[0], times.Average(), rounds));
        })];
    }

    /// <summary>Deletion curves of f for the three maps and a random ranking on <paramref name="count"/> test images.</summary>
    public IReadOnlyList<CurveRow> DeletionCurves(int count, CancellationToken cancellationToken)
    {
        const int batchSize = 100;
        string[] methods = ["Explainer", "Robust attribution", "Saliency", "Random"];
        var sums = methods.ToDictionary(m => m, _ => new double[21]);
        using var generator = new Generator((ulong)options.Seed);
        using var robustSmoothGrad = new SmoothGrad(robust.Model, new SmoothGradOptions { Samples = options.Samples, Seed = options.Seed });
        var saliency = new Saliency(explained.Model);
        // Removed pixels take the image's mean intensity: black is Fashion-MNIST's background, so with RISE's zero
        // substrate deleting background pixels would change nothing and every map would look good at first.
        var deletion = new DeletionCurveOptions { Substrate = PerturbationSubstrate.Mean };
        using var all = NewDisposeScope();
        var (images, labels) = LabelledImages.Read(mlContext, test, count);
        long total = images.shape[0];
        for (long start = 0; start < total; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long n = Math.Min(batchSize, total - start);
            var (x, y) = (images.narrow(0, start, n), labels.narrow(0, start, n));
            var (_, predicted, explainerMaps) = explained.Model.Explain(x);
            var maps = new Dictionary<string, Tensor>
            {
                ["Explainer"] = explainerMaps,
                ["Robust attribution"] = AttributionPostprocessing.Apply(robustSmoothGrad.Attribute(x, y), ChannelReduction.Sum, AttributionNormalization.MaxAbs),
                ["Saliency"] = saliency.Attribute(x, predicted),
                ["Random"] = rand([n, 1, x.shape[2], x.shape[3]], generator: generator),
            };
            foreach (var (method, map) in maps)
            {
                var curve = DeletionCurve.Compute(explained.Model, x, map, deletion).Curve;
                for (int k = 0; k < curve.Length; k++)
                {
                    sums[method][k] += curve[k] * n;
                }
            }
        }

        return [.. methods.Select(m =>
        {
            var curve = sums[m].Select(v => v / total).ToArray();
            return new CurveRow(m, curve, DeletionCurve.Area(curve));
        })];
    }
}
