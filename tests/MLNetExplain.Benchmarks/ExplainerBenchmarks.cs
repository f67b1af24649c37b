// The explainer section (issue "Robust attribution alignment"): per-image latency of the explainer's one forward
// pass (ExplainedClassifier.ForwardBoth under no-grad: prediction + map) against Saliency (forward + backward) and
// SmoothGrad-50 on the same model, at batch 1 and batch 64, for CIFAR ResNet-18 (3x32x32) and the demo's SmallCnn
// (10 classes, 1 channel, width 16, normalisation inside the model; 1x28x28). Untrained weights, eval mode.
//
// Seed 001 reports 9 ms (explainer) vs 19 ms (saliency) on ResNet-18 on a CPU; the goal is explainer <= 0.5x saliency.
//
// Per model and batch size, every method is warmed up, then measured in rounds (alternating the order of the
// methods), each round timing one method for about a second (at least one call); medians of the pooled calls.
// A method whose measured calls already add up to more than MethodCapSeconds is not run in later rounds (in
// practice: SmoothGrad-50 at batch 64 on ResNet-18, one call of about a minute, measured once). SmoothGrad warms up
// with a 10-sample SmoothGrad, which runs the same [10 * batch] chunk shapes at a fifth of the cost.

using System.Diagnostics;
using MLNetExplain.Attribution.Methods;
using MLNetExplain.Torch;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Benchmarks;

internal static class ExplainerBenchmarks
{
    private const double RoundBudgetSeconds = 1.0;
    private const int MaxCallsPerRound = 25;
    private const double MethodCapSeconds = 8.0;
    private const double WarmupBudgetSeconds = 2.0;
    private const int SmoothGradSamples = 50;
    private static readonly int[] Batches = [1, 64];

    private sealed record ModelCase(string Label, ClassifierSpec Spec, int Channels, int Size);

    private sealed class Method(string name, Action<Tensor> run, Action<Tensor> warm)
    {
        public string Name => name;

        public Action<Tensor> Run => run;

        public Action<Tensor> Warm => warm;

        public Dictionary<int, List<double>> Ms { get; } = [];
    }

    public static void Run(Settings settings)
    {
        Console.WriteLine("== explainer: one-pass explainer vs Saliency vs SmoothGrad-50, per-image latency (eval mode, untrained weights) ==");
        Console.WriteLine($"  {settings.Rounds} rounds of ~{RoundBudgetSeconds:F0} s per method; load average at start: {Report.LoadAverage()}");
        ModelCase[] models =
        [
            new("CIFAR ResNet-18, 3x32x32", ClassifierSpec.ResNet18(10, 3)
                .WithNormalization([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]), 3, 32),
            new("demo SmallCnn(10, 1, 16) + normalisation, 1x28x28", ClassifierSpec.SmallCnn(10, 1, 16)
                .WithNormalization([0.2860f], [0.3530f]), 1, 28),
        ];

        var tables = new List<string[]>();
        foreach (var m in models)
        {
            tables.AddRange(MeasureModel(m, settings.Rounds));
        }

        Console.WriteLine($"  load average at end: {Report.LoadAverage()}");
        Console.WriteLine();
        Report.PrintTable(
            ["model", "method", "batch 1: ms/image", "vs saliency", "batch 64: ms/image", "vs saliency", "batch 64: ms/batch", "calls (b1/b64)"],
            tables, leftColumns: 2);
        Console.WriteLine();
        Console.WriteLine("medians of timed calls after warm-up; ms/image = ms per call / batch; 'vs saliency' = this method's time / " +
                          "Saliency's at the same batch size (goal for the explainer: <= 0.50x).");
        Console.WriteLine();
    }

    private static IEnumerable<string[]> MeasureModel(ModelCase m, int rounds)
    {
        using var generator = new Generator(1);
        var classifier = m.Spec.Build(generator); // owned (and freed) by `explained` below
        classifier.Eval();
        long[] featureShape;
        using (Torch.Torch.NoGrad())
        using (Torch.Torch.NewDisposeScope())
        {
            featureShape = classifier.Features(Tensor.Zeros([1, m.Channels, m.Size, m.Size])).Shape;
        }

        var head = new ExplainerHead(featureShape[1], (int)featureShape[2], (int)featureShape[3], m.Size, m.Size, generator: generator);
        using var explained = new ExplainedClassifier(classifier, head);
        explained.Eval();
        var parameters = classifier.ParameterCount();
        var headParameters = head.ParameterCount();
        Console.WriteLine($"  {m.Label}: classifier {parameters:N0} params, features [N, {string.Join(", ", featureShape.Skip(1))}], " +
                          $"explainer head {headParameters:N0} params");

        var saliency = new Saliency(classifier.Forward);
        var smooth = new SmoothGrad(classifier.Forward, new SmoothGradOptions { Samples = SmoothGradSamples });
        var smoothWarm = new SmoothGrad(classifier.Forward, new SmoothGradOptions { Samples = smooth.Options.SamplesPerForward });
        using var noise = new Generator(2);

        void Forward(Tensor x)
        {
            using var noGrad = Torch.Torch.NoGrad();
            using var scope = Torch.Torch.NewDisposeScope();
            explained.Forward(x);
        }

        void Explain(Tensor x)
        {
            using var noGrad = Torch.Torch.NoGrad();
            using var scope = Torch.Torch.NewDisposeScope();
            explained.ForwardBoth(x);
        }

        void Salient(Tensor x)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            saliency.Attribute(x);
        }

        void Smooth(SmoothGrad method, Tensor x)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            method.Attribute(x, null, noise);
        }

        Method[] methods =
        [
            new("classifier forward only (logits; reference)", Forward, Forward),
            new("explainer: ForwardBoth, no-grad (prediction + map)", Explain, Explain),
            new("Saliency (forward + backward to the input)", Salient, Salient),
            new($"SmoothGrad-{SmoothGradSamples} (chunks of {smooth.Options.SamplesPerForward} samples)",
                x => Smooth(smooth, x), x => Smooth(smoothWarm, x)),
        ];

        foreach (var batch in Batches)
        {
            using var x = Tensor.Rand([batch, m.Channels, m.Size, m.Size], generator);
            foreach (var method in methods)
            {
                method.Ms[batch] = [];
                var warm = Stopwatch.StartNew();
                for (var k = 0; k < 3 && (k == 0 || warm.Elapsed.TotalSeconds < WarmupBudgetSeconds); k++)
                {
                    method.Warm(x);
                }
            }

            for (var round = 0; round < rounds; round++)
            {
                var order = round % 2 == 0 ? methods : methods.Reverse().ToArray();
                foreach (var method in order)
                {
                    var samples = method.Ms[batch];
                    if (round > 0 && samples.Sum() > MethodCapSeconds * 1000)
                    {
                        continue;
                    }

                    var budget = Stopwatch.StartNew();
                    var calls = 0;
                    do
                    {
                        samples.Add(Report.TimeMs(() => method.Run(x)));
                        calls++;
                    }
                    while (calls < MaxCallsPerRound && budget.Elapsed.TotalSeconds < RoundBudgetSeconds);
                }
            }

            Console.WriteLine($"    batch {batch}: " + string.Join(", ", methods.Select(me =>
                $"{me.Name.Split(' ')[0].TrimEnd(':')} {Report.Median(me.Ms[batch]):F1} ms ({me.Ms[batch].Count} calls)")));
        }

        var saliencyMs = Batches.ToDictionary(b => b, b => Report.Median(methods[2].Ms[b]));
        foreach (var method in methods)
        {
            var b1 = Report.Median(method.Ms[1]);
            var b64 = Report.Median(method.Ms[64]);
            yield return
            [
                m.Label, method.Name,
                Report.Num(b1, "F2"), Report.Ratio(b1, saliencyMs[1]),
                Report.Num(b64 / 64, "F2"), Report.Ratio(b64, saliencyMs[64]),
                Report.Num(b64, "F1"),
                $"{method.Ms[1].Count}/{method.Ms[64].Count}",
            ];
        }
    }
}
