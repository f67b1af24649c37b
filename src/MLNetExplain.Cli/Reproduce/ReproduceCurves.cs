using MLNetExplain.Evaluation;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>One method's deletion and insertion curves on f.</summary>
internal sealed record CurvePair(string Method, double[] Deletion, double DeletionArea, double[] Insertion, double InsertionArea);

/// <summary>
/// RISE deletion (mean substrate) and insertion (blur substrate) curves of f for every method, on the first test
/// images, ranking pixels by |map| as ROAR does. Deletion uses each image's mean rather than RISE's black: black is
/// Fashion-MNIST's background, so deleting background pixels would change nothing.
/// </summary>
internal static class ReproduceCurves
{
    public static IReadOnlyList<CurvePair> Compute(nn.Module<Tensor, Tensor> model, IReadOnlyList<ReproduceMethod> methods,
        IReadOnlyDictionary<string, (Tensor Train, Tensor Test)> maps, ReproduceData data, ReproduceOptions o, CancellationToken token)
    {
        long n = Math.Min(o.CurveRows, data.TestImages.shape[0]);
        var images = data.TestImages.narrow(0, 0, n);
        var deletion = new DeletionCurveOptions { Order = PerturbationOrder.Deletion, Substrate = PerturbationSubstrate.Mean };
        var insertion = new DeletionCurveOptions { Order = PerturbationOrder.Insertion, Substrate = PerturbationSubstrate.Blur };
        using var generator = new Generator(unchecked((ulong)o.Seed));
        var result = new List<CurvePair>();
        foreach (var method in methods)
        {
            token.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var map = method.IsRandom
                ? rand([n, 1, images.shape[2], images.shape[3]], generator: generator)
                : maps[method.Name].Test.narrow(0, 0, n).abs();
            var d = DeletionCurve.Compute(model, images, map, deletion);
            var i = DeletionCurve.Compute(model, images, map, insertion);
            result.Add(new CurvePair(method.Name, d.Curve, d.Area, i.Curve, i.Area));
        }

        return result;
    }
}
