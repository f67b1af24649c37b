using MLNetExplain.Evaluation;
using MLNetExplain.Tests.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

public class DeletionCurveTests
{
    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    // Two classes with logits [sum_p w_p * sum_c x_{c,p}, 0]: class 0's probability is sigmoid of the weighted pixel sum.
    private static FunctionModel Weighted(params double[] w)
    {
        var weights = tensor(w);
        return new FunctionModel(x => stack([(x.sum(1).flatten(1) * weights).sum(1), zeros(x.shape[0], ScalarType.Float64)], 1));
    }

    private static Tensor Image(params double[] pixels) => tensor(pixels).view(1, 1, 2, 2);

    private static void Near(IEnumerable<double> expected, IEnumerable<double> actual) =>
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 12));

    [Fact]
    public void DeletionAndInsertionFollowTheRankingInClosedForm()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(4, 3, 2, 1);
        var x = Image(1, 1, 1, 1);
        var map = Image(4, 3, 2, 1); // pixel 0 is most important
        var deletion = DeletionCurve.Compute(model, x, map, new DeletionCurveOptions { Steps = 4 });
        double[] expected = [10, 6, 3, 1, 0];
        Near(expected.Select(Sigmoid), deletion.Curve);
        double area = (expected.Select(Sigmoid).Sum() - Sigmoid(10) / 2 - Sigmoid(0) / 2) / 4;
        Assert.Equal(area, deletion.Area, 12);
        Assert.Equal(area, deletion.ImageAreas.Single(), 12);

        var insertion = DeletionCurve.Compute(model, x, map, new DeletionCurveOptions { Steps = 4, Order = PerturbationOrder.Insertion });
        Near(new double[] { 0, 4, 7, 9, 10 }.Select(Sigmoid), insertion.Curve);
        Assert.True(insertion.Area > deletion.Area);
    }

    [Fact]
    public void EveryChannelOfARemovedPixelIsRemovedAndMapChannelsAreSummed()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(0.4, 0.3, 0.2, 0.1);
        var x = ones([1, 3, 2, 2], ScalarType.Float64);
        // The map's channels sum to the ranking 4 > 3 > 2 > 1 only together.
        var map = tensor(new double[] { 4, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 1 }).view(1, 3, 2, 2);
        var curve = DeletionCurve.Compute(model, x, map, new DeletionCurveOptions { Steps = 4 }).Curve;
        Near(new double[] { 3.0, 1.8, 0.9, 0.3, 0 }.Select(Sigmoid), curve);
    }

    [Fact]
    public void MeanSubstrateReplacesPixelsByTheImagesMean()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(0.1, 0.1, 0.1, 0.1);
        var x = Image(1, 3, 5, 7); // mean 4: pixel sums 16, 19, 20, 19, 16 as pixels 0..3 become 4
        var map = Image(4, 3, 2, 1);
        var curve = DeletionCurve.Compute(model, x, map, new DeletionCurveOptions { Steps = 4, Substrate = PerturbationSubstrate.Mean }).Curve;
        Near(new[] { 1.6, 1.9, 2.0, 1.9, 1.6 }.Select(Sigmoid), curve);
    }

    [Fact]
    public void BlurSubstrateKeepsAConstantImageAndBlursAnEdge()
    {
        using var scope = NewDisposeScope();
        var w = Enumerable.Repeat(0.05, 36).ToArray();
        using var model = new FunctionModel(x => stack([(x.sum(1).flatten(1) * tensor(w)).sum(1), zeros(x.shape[0], ScalarType.Float64)], 1));
        var constant = full([1, 1, 6, 6], 0.5, ScalarType.Float64);
        var map = arange(36, dtype: ScalarType.Float64).view(1, 1, 6, 6);
        var options = new DeletionCurveOptions { Steps = 3, Substrate = PerturbationSubstrate.Blur, BlurKernelSize = 5, BlurSigma = 1 };
        Near(Enumerable.Repeat(Sigmoid(0.05 * 36 * 0.5), 4), DeletionCurve.Compute(model, constant, map, options).Curve);

        // Left half 1, right half 0, and a model that sums the left half (18): once every pixel is replaced by the blur,
        // some of the left half's mass has moved across the edge, but most of it stays.
        var edge = cat([ones([1, 1, 6, 3], ScalarType.Float64), zeros([1, 1, 6, 3], ScalarType.Float64)], 3);
        using var leftOnly = new FunctionModel(x => stack([x.narrow(3, 0, 3).sum([1, 2, 3]), zeros(x.shape[0], ScalarType.Float64)], 1));
        var last = DeletionCurve.Compute(leftOnly, edge, map, options).Curve[^1];
        Assert.True(last < Sigmoid(18) && last > Sigmoid(9), "the blur moves some of the left half's mass to the right");
    }

    [Fact]
    public void StepsThatDoNotDivideThePixelsRoundTheCutoffsAndChunkingChangesNothing()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(4, 3, 2, 1);
        var x = cat([Image(1, 1, 1, 1), Image(1, 1, 1, 1)], 0);
        var maps = cat([Image(4, 3, 2, 1), Image(1, 2, 3, 4)], 0); // the second image deletes its least useful pixel first
        // 4 pixels in 3 steps: cutoffs round(4k/3) = 0, 1, 3, 4.
        var result = DeletionCurve.Compute(model, x, maps, new DeletionCurveOptions { Steps = 3 });
        var first = new double[] { 10, 6, 1, 0 }.Select(Sigmoid).ToArray();
        var second = new double[] { 10, 9, 4, 0 }.Select(Sigmoid).ToArray();
        Near(first.Zip(second, (a, b) => (a + b) / 2), result.Curve);
        Near([DeletionCurve.Area(first), DeletionCurve.Area(second)], result.ImageAreas);
        Assert.Equal(result.ImageAreas.Average(), result.Area, 12);
        // One image per forward (the clean pass and every step apart), and windows of 3 of the 4 steps.
        foreach (int max in new[] { 1, 3 })
        {
            var chunked = DeletionCurve.Compute(model, x, maps, new DeletionCurveOptions { Steps = 3, MaxImagesPerForward = max });
            Assert.Equal(result.Curve, chunked.Curve);
        }
    }

    [Fact]
    public void AreaIsTheTrapezoidOverTheUnitInterval()
    {
        Assert.Equal(0.5, DeletionCurve.Area([1, 0]));
        Assert.Equal(0.75, DeletionCurve.Area([1, 1, 0]));
        Assert.Equal(0.125, DeletionCurve.Area([0, 0, 0, 0.5, 0]), 12);
        Assert.Throws<ArgumentException>(() => DeletionCurve.Area([1]));
    }

    [Fact]
    public void MapsOfTheWrongShapeAreRefused()
    {
        using var scope = NewDisposeScope();
        using var model = Weighted(1, 1, 1, 1);
        var ex = Assert.Throws<ArgumentException>(() => DeletionCurve.Compute(model, Image(1, 1, 1, 1), zeros(1, 1, 3, 3)));
        Assert.Equal("maps", ex.ParamName);
        Assert.Contains("[1, C', 2, 2]", ex.Message);
        Assert.Throws<ArgumentException>(() => DeletionCurve.Compute(model, Image(1, 1, 1, 1), Image(1, 1, 1, 1), new DeletionCurveOptions { BlurKernelSize = 4 }));
    }
}
