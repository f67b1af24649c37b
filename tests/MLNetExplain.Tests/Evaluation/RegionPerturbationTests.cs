using MLNetExplain.Evaluation;
using MLNetExplain.Tests.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

public class RegionPerturbationTests
{
    // Logits [Σ_p w_p x_p, 0] over a 1 x 3 x 3 image, so with logits as scores f(x) - f(x_k) is Σ over removed pixels of w_p (x_p - baseline).
    private static FunctionModel Weighted(Tensor w) => new(x => stack([(x.flatten(1) * w).sum(1), zeros(x.shape[0], ScalarType.Float64)], 1));

    private static Tensor Weights => tensor(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });

    private static void Near(double[] expected, double[] actual) => Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 12));

    [Fact]
    public void GridRegionsAreRemovedByTheirSumsInClosedForm()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(Weights);
        var x = full([1, 1, 3, 3], 2.0, ScalarType.Float64);
        x[0, 0, 0, 0] = tensor(1.0); // the minimum: removed pixels become 1, so each removes w_p (x_p - 1)
        // 2 x 2 grid on 3 x 3: regions A = {0,1,3,4}, B = {2,5}, C = {6,7}, D = {8}. The map puts 1 at pixel 0 and 5 at pixel 8.
        var map = zeros([1, 1, 3, 3], ScalarType.Float64);
        map[0, 0, 0, 0] = tensor(1.0);
        map[0, 0, 2, 2] = tensor(5.0);
        var options = new RegionPerturbationOptions { PatchSize = 2, UseProbabilities = false };
        // MoRF: D (5), A (1), then B and C tie at 0 and keep region order. Removing D drops 9, A drops 2+4+5 = 11, B 3+6, C 7+8.
        var morf = RegionPerturbation.Compute(model, x, map, options: options);
        Assert.Equal(4, morf.Regions);
        Near([0, 9, 20, 29, 44], morf.Curve);
        Assert.Equal(new[] { 0, 9, 20, 29, 44.0 }.Average(), morf.Aopc, 12);
        // LeRF: B and C (0) in region order, then A, then D.
        var lerf = RegionPerturbation.Compute(model, x, map, options: options with { Order = RegionOrder.LeastRelevantFirst });
        Near([0, 9, 24, 35, 44], lerf.Curve);
        // At most Regions steps.
        Near([0, 9, 20], RegionPerturbation.Compute(model, x, map, options: options with { Regions = 2 }).Curve);
        // Probabilities: the drop of sigmoid(logit).
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        double clean = (Weights * x.flatten()).sum().item<double>();
        var probabilities = RegionPerturbation.Compute(model, x, map, tensor(new long[] { 0 }), options with { UseProbabilities = true });
        Near(new[] { 0, 9, 20, 29, 44.0 }.Select(d => Sigmoid(clean) - Sigmoid(clean - d)).ToArray(), probabilities.Curve);
    }

    [Fact]
    public void SlidingRegionsFollowQuantusGreedySelection()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(Weights);
        var x = full([1, 1, 3, 3], 2.0, ScalarType.Float64);
        var map = zeros([1, 1, 3, 3], ScalarType.Float64);
        map[0, 0, 0, 0] = tensor(1.0);
        map[0, 0, 2, 2] = tensor(5.0);
        // Candidates at every pixel; the first of the four holding pixel 8 (top-left (1,1): pixels 4,5,7,8) wins, and every
        // other 2 x 2 candidate overlaps it, so one region is removed. Substrate zero: removing it drops 2 (5+6+8+9) = 56.
        var options = new RegionPerturbationOptions { PatchSize = 2, Layout = RegionLayout.Sliding, Substrate = PerturbationSubstrate.Zero, UseProbabilities = false };
        var result = RegionPerturbation.Compute(model, x, map, options: options);
        Assert.Equal(1, result.Regions);
        Near([0, 56], result.Curve);
    }

    [Fact]
    public void RandomOrderRepeatsPerSeedAndChunkingChangesNothing()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(Weights);
        var x = rand([5, 1, 3, 3], ScalarType.Float64, generator: new TorchSharp.torch.Generator(1));
        var map = rand([5, 1, 3, 3], ScalarType.Float64, generator: new TorchSharp.torch.Generator(2));
        var options = new RegionPerturbationOptions { PatchSize = 1, Order = RegionOrder.Random, Seed = 3 };
        var a = RegionPerturbation.Compute(model, x, map, options: options);
        Assert.Equal(9, a.Regions);
        Assert.Equal(a.Curve, RegionPerturbation.Compute(model, x, map, options: options with { MaxImagesPerForward = 4 }).Curve);
        Assert.Equal(a.Curve, RegionPerturbation.Compute(model, x, map, options: options).Curve);
        Assert.NotEqual(a.Curve, RegionPerturbation.Compute(model, x, map, options: options with { Seed = 4 }).Curve);
        // With every pixel removed the curve ends at the same point whatever the order.
        var morf = RegionPerturbation.Compute(model, x, map, options: options with { Order = RegionOrder.MostRelevantFirst, MaxImagesPerForward = 1 });
        Assert.Equal(a.Curve[^1], morf.Curve[^1], 12);
        Assert.Throws<ArgumentException>(() => RegionPerturbation.Compute(model, x, zeros(5, 1, 2, 3)));
        Assert.Throws<ArgumentException>(() => RegionPerturbation.Compute(model, x, map, options: options with { PatchSize = 0 }));
        var target = Assert.Throws<ArgumentException>(() => RegionPerturbation.Compute(model, x, map, full(5, 2L)));
        Assert.Equal("targets", target.ParamName);
    }
}
