using MLNetExplain.Attribution;
using MLNetExplain.Explainer;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// (d) Per-image latency on the CIFAR ResNet-18 (eval mode, untrained weights) at batch 1 and the batch size: the
/// classifier's forward alone, the explainer (one no-grad pass giving logits and the heatmap from the feature
/// map) and the library's <see cref="Saliency"/> (forward + gradient of the target logits with respect to the
/// input, absolute).
/// Seed 001's goal: explainer at most 0.5x saliency. Batch 1 runs 4x the iterations.
/// </summary>
internal sealed class ExplainerBenchmarks : Section
{
    public override string Name => "explainer";

    public override string Title(Settings settings) =>
        $"explainer vs saliency per image, CIFAR ResNet-18, batch 1 and {settings.Batch}";

    public override IReadOnlyList<Row> Rows(Settings settings)
    {
        var rows = new List<Row>();
        foreach (var batch in new[] { 1, settings.Batch })
        {
            rows.Add(new($"classifier forward only (no-grad), batch {batch}, per image", $"forward/b{batch}", $"forward/b{batch}", Row.MsPerImage(batch)));
            rows.Add(new($"explainer: logits + heatmap in one no-grad pass, batch {batch}, per image", $"explainer/b{batch}", $"explainer/b{batch}", Row.MsPerImage(batch)));
            rows.Add(new($"saliency: forward + input gradient, batch {batch}, per image", $"saliency/b{batch}", $"saliency/b{batch}", Row.MsPerImage(batch)));
        }

        return rows;
    }

    public override IEnumerable<string> Notes(Settings settings, Samples ours, Samples peer)
    {
        foreach (var batch in new[] { 1, settings.Batch })
        {
            yield return $"batch {batch}: explainer / saliency = {Report.Ratio(ours.Median($"explainer/b{batch}"), ours.Median($"saliency/b{batch}"))} ours, " +
                         $"{Report.Ratio(peer.Median($"explainer/b{batch}"), peer.Median($"saliency/b{batch}"))} Python (seed 001's goal: <= 0.50x)";
        }
    }

    public override void MeasureOurs(Settings settings, Samples into)
    {
        random.manual_seed(1);
        using var model = ResNet.ResNet18(10, 3);
        using var head = new ExplainerHeadSpec(model.FeatureChannels, 4, 4, 32, 32).Build();
        model.eval();
        head.eval();

        void Forward(Tensor x)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            model.call(x);
        }

        void Explain(Tensor x)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var features = model.Features(x);
            model.Classify(features);
            head.call(features);
        }

        var saliency = new Saliency(model);
        Tensor? targets = null;

        void Salient(Tensor x)
        {
            using var scope = NewDisposeScope();
            saliency.Attribute(x, targets!);
        }

        foreach (var batch in new[] { 1, settings.Batch })
        {
            using var generator = new Generator(2);
            using var x = rand([batch, 3, 32, 32], generator: generator);
            using var labels = randint(0, 10, [batch], generator: generator);
            targets = labels;
            var iterations = batch == 1 ? 4 * settings.Iterations : settings.Iterations;
            foreach (var (name, run) in new (string, Action<Tensor>)[] { ("forward", Forward), ("explainer", Explain), ("saliency", Salient) })
            {
                for (var k = 0; k < settings.Warmup; k++)
                {
                    run(x);
                }

                for (var k = 0; k < iterations; k++)
                {
                    into.Add($"{name}/b{batch}", Report.TimeMs(() => run(x)));
                }
            }
        }
    }
}
