using MLNetExplain.Attribution.Methods;
using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Evaluation;
using MLNetExplain.Torch;
using MLNetExplain.Training.Explainer;
using MLNetExplain.Training.Trainers;

namespace MLNetExplain.Cli.Demo;

/// <summary>One image of the grid: its pixels, label, prediction and the three maps.</summary>
internal sealed record GridRow(float[] Image, int Label, int Predicted, float[] Saliency, float[] Robust, float[] Explainer);

/// <summary>The three maps the demo compares (saliency of f, robust attribution of f', explainer of f) and their measurements.</summary>
internal sealed class DemoMaps(ExplainContext context, ExplainedClassifierTransformer explained, ImageClassificationTransformer robust,
    IDataView test, DemoOptions options)
{
    private const double MeanIntensity = 0.2860;
    private readonly Saliency _saliency = new(explained.Model.Forward);
    private readonly SmoothGrad _robust = new(robust.Model.Forward, new SmoothGradOptions { Samples = options.Samples });

    private (Tensor X, Tensor Y) Batch(int count)
    {
        using var batches = new TensorBatchCursor(test, "Features", count, "Label");
        batches.MoveNext();
        return (batches.Features.Clone(), batches.Labels!.Clone());
    }

    private Tensor SaliencyMaps(Tensor x) => AttributionPostprocessing.Apply(_saliency.Attribute(x), ChannelReduction.Sum, AttributionNormalization.None);

    private Tensor RobustMaps(Tensor x, Tensor y, Generator g) =>
        AttributionPostprocessing.Apply(_robust.Attribute(x, y, g), ChannelReduction.Sum, AttributionNormalization.MaxAbs);

    public IReadOnlyList<GridRow> GridRows(int count)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        using var g = new Generator((ulong)options.Seed);
        var (x, y) = Batch(count);
        var (_, predicted, explainerMaps) = explained.Explain(x);
        var saliency = SaliencyMaps(x);
        var robustMaps = RobustMaps(x, y, g);
        var n = (int)x.Size(0);
        var rows = new List<GridRow>();
        for (var i = 0; i < n; i++)
        {
            rows.Add(new GridRow(x.Select(0, i).ToArray<float>(), (int)y.Select(0, i).Item<long>(), (int)predicted.Select(0, i).Item<long>(),
                saliency.Select(0, i).ToArray<float>(), robustMaps.Select(0, i).ToArray<float>(), explainerMaps.Select(0, i).ToArray<float>()));
        }

        return rows;
    }

    /// <summary>Per-image latency of the explainer's one forward pass vs saliency (and SmoothGrad-50), measured side by side.</summary>
    public IReadOnlyList<LatencyRow> MeasureLatency()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var (x, _) = Batch(64);
        var one = x.Narrow(0, 0, 1);
        var rows = new List<LatencyRow>();
        foreach (var (input, runs) in new[] { (one, 50), (x, 10) })
        {
            var n = (int)input.Size(0);
            rows.Add(new LatencyRow("Explainer (prediction + map)", n, Latency.Measure(() =>
            {
                using var s = Torch.Torch.NewDisposeScope();
                explained.Explain(input);
            }, runs)));
            rows.Add(new LatencyRow("Saliency", n, Latency.Measure(() =>
            {
                using var s = Torch.Torch.NewDisposeScope();
                _saliency.Attribute(input);
            }, runs)));
        }

        using var g = new Generator(1);
        var smooth = new SmoothGrad(explained.Model.Forward, new SmoothGradOptions { Samples = 50 });
        rows.Add(new LatencyRow("SmoothGrad-50", 1, Latency.Measure(() =>
        {
            using var s = Torch.Torch.NewDisposeScope();
            smooth.Attribute(one, null, g);
        }, 10, 2)));
        return rows;
    }

    /// <summary>Deletion curves of f for the three maps on <paramref name="count"/> test images.</summary>
    public IReadOnlyList<CurveRow> DeletionCurves(int count)
    {
        var curves = new Dictionary<string, double[]>
        {
            ["Explainer"] = new double[21], ["Robust attribution"] = new double[21], ["Saliency"] = new double[21], ["Random"] = new double[21],
        };
        using var g = new Generator((ulong)options.Seed);
        using var batches = new TensorBatchCursor(context.Data.TakeRows(test, count), "Features", 100, "Label");
        var total = 0;
        while (batches.MoveNext())
        {
            using var scope = Torch.Torch.NewDisposeScope();
            var (x, y) = (batches.Features, batches.Labels!);
            var maps = new Dictionary<string, Tensor>
            {
                ["Explainer"] = explained.Explain(x).Maps, ["Robust attribution"] = RobustMaps(x, y, g), ["Saliency"] = SaliencyMaps(x),
                ["Random"] = Tensor.Rand([x.Size(0), 1, x.Size(2), x.Size(3)], g),
            };
            foreach (var (name, map) in maps)
            {
                // Removed pixels take the training mean intensity (ROAR's replacement): black is Fashion-MNIST's
                // background, so a black substrate would make deleting background pixels a no-op.
                var curve = DeletionCurve.Compute(explained.Model.Forward, x, map, substrate: MeanIntensity);
                for (var k = 0; k < curve.Length; k++)
                {
                    curves[name][k] += curve[k] * batches.Count;
                }
            }

            total += batches.Count;
        }

        return curves.Select(c => new CurveRow(c.Key, c.Value.Select(v => v / total).ToArray(), DeletionCurve.Area(c.Value.Select(v => v / total).ToArray()))).ToList();
    }
}

/// <summary>A latency measurement.</summary>
internal sealed record LatencyRow(string Method, int BatchSize, LatencyResult Result);

/// <summary>A deletion curve and its area.</summary>
internal sealed record CurveRow(string Method, double[] Curve, double Area);

/// <summary>Everything the report shows.</summary>
internal sealed class DemoReport
{
    public required DemoOptions Options { get; init; }
    public int Threads { get; init; }
    public double ClassifierAccuracy { get; set; }
    public double RobustCleanAccuracy { get; set; }
    public double RobustAdversarialAccuracy { get; set; }
    public IReadOnlyList<LatencyRow> Latency { get; set; } = [];
    public IReadOnlyList<CurveRow> Deletion { get; set; } = [];
    public List<string> Log { get; } = [];
    public TimeSpan Elapsed { get; set; }
}
