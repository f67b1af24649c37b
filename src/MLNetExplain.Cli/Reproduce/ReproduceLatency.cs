using MLNetExplain.Evaluation;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>One row of Table 3: a method's time per image at batch 1 on f, and its ratio to the explainer's.</summary>
internal sealed record LatencyEntry(string Method, double Milliseconds, double RelativeToExplainer);

/// <summary>
/// Table 3's analogue: each method's latency for one image on f (the explainer: prediction and map in one forward
/// pass). Methods alternate in rounds, each keeping the fastest of 5 runs, and the median over rounds is reported,
/// so a neighbour's burst on a shared machine does not decide a row.
/// </summary>
internal static class ReproduceLatency
{
    public static IReadOnlyList<LatencyEntry> Measure(ReproduceModels models, IReadOnlyList<ReproduceMethod> methods, ReproduceData data,
        ReproduceOptions o, CancellationToken token)
    {
        using var scope = NewDisposeScope();
        var x = data.TestImages.narrow(0, 0, 1);
        var target = models.Explained.Explain(x).Predicted;
        var timed = methods.Where(m => !m.IsRandom).Select(m => (m.Name, Method: m.Create!(models, o))).ToList();
        try
        {
            var fastest = timed.Select(_ => new double[o.LatencyRounds]).ToArray();
            for (int round = 0; round < o.LatencyRounds; round++)
            {
                for (int k = 0; k < timed.Count; k++)
                {
                    token.ThrowIfCancellationRequested();
                    var method = timed[k].Method;
                    fastest[k][round] = Latency.Measure(() =>
                    {
                        using var s = NewDisposeScope();
                        method.Attribute(x, target);
                    }, runs: 5, warmup: round == 0 ? 2 : 1).MinMilliseconds;
                }
            }

            var medians = fastest.Select(f => f.Order().ElementAt(f.Length / 2)).ToArray();
            int explainer = timed.FindIndex(t => t.Name == "Explainer");
            double reference = explainer >= 0 ? medians[explainer] : double.NaN;
            return [.. timed.Select((t, k) => new LatencyEntry(t.Name, medians[k], medians[k] / reference)).OrderBy(e => e.Milliseconds)];
        }
        finally
        {
            timed.ForEach(t => (t.Method as IDisposable)?.Dispose());
        }
    }
}
