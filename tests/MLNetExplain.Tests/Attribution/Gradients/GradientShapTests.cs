using MLNetExplain.Attribution;
using static MLNetExplain.Tests.Attribution.Gradients.CaptumModels;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Gradients;

public class GradientShapTests
{
    private static Tensor LinearWeights() => tensor(new double[] { 2, -3, 0.5, -1, 1, 4, 1.5, -2, 3, 1, -0.5, 2 }).view(3, 4);

    [Fact]
    public void ALinearModelAgainstConstantBaselinesGetsWeightsTimesTheDistanceToTheMeanDrawnBaseline()
    {
        using var scope = NewDisposeScope();
        var weights = LinearWeights();
        using var model = new FunctionModel(x => x.mm(weights.t()) - 1);
        var x = tensor(new double[] { 0.3, -2, 5, 1, 2, -0.5, 1, 1 }).view(2, 4);
        var targets = tensor(new long[] { 2, 0 });
        var w = weights.index_select(0, targets);

        // One all-zero baseline (the default): x * W[t], delta 0.
        using var shap = new GradientShap(model, new GradientShapOptions { Seed = 3 });
        var zeroBaseline = shap.AttributeWithDelta(x, targets);
        Assert.Equal(Values(x * w), Values(zeroBaseline.Attributions), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.All(Values(zeroBaseline.Delta), d => Assert.True(Math.Abs(d) < 1e-12));

        // Constant baselines 0, 1 and 2: (x - b) * W[t] averaged over 5 draws is (x - m) * W[t] with 5 m an integer in [0, 10].
        var constants = tensor(new double[] { 0, 1, 2 }).view(3, 1);
        var drawn = shap.AttributeWithDelta(x, targets, constants);
        var m = Values(x - drawn.Attributions / w);
        Assert.All(m, v => Assert.Equal(m[0], v, 10));
        Assert.Equal(Math.Round(5 * m[0]), 5 * m[0], 9);
        Assert.InRange(m[0], 0, 2);
        Assert.All(Values(drawn.Delta), d => Assert.True(Math.Abs(d) < 1e-12));
    }

    [Fact]
    public void DeltaIsSmallOnANearlyLinearModelAndIsCaptumsExpressionForOneSample()
    {
        using var scope = NewDisposeScope();
        // Captum's 6e-4 bound on the mean |delta| per example holds for its near-linear test models; here a linear
        // map plus a weak smooth term (without it the delta would be 0 up to rounding).
        var weights = LinearWeights();
        using var model = new FunctionModel(x => x.mm(weights.t()) + 0.01 * x.sin().sum(1, keepdim: true));
        var x = rand([6, 4], ScalarType.Float64, generator: new Generator(4));
        var baselines = rand([10, 4], ScalarType.Float64, generator: new Generator(5)) * 0.2;
        var targets = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        using var shap = new GradientShap(model, new GradientShapOptions { Samples = 5, Seed = 1 });
        var result = shap.AttributeWithDelta(x, targets, baselines);
        var delta = Values(result.Delta);
        Assert.All(delta, d => Assert.True(Math.Abs(d) < 6e-4, $"delta {d}"));
        Assert.Contains(delta, d => Math.Abs(d) > 1e-9);

        // With one sample from one baseline and no noise the delta is exactly sum(a) - (F(x) - F(b)).
        using var one = new GradientShap(model, new GradientShapOptions { Samples = 1, Seed = 2 });
        var b = baselines.narrow(0, 3, 1);
        var single = one.AttributeWithDelta(x, targets, b);
        var fx = model.call(x).gather(1, targets.view(-1, 1)).squeeze(1);
        var fb = model.call(b.expand(x.shape)).gather(1, targets.view(-1, 1)).squeeze(1);
        Assert.Equal(Values(single.Attributions.sum(1) - (fx - fb)), Values(single.Delta));
    }

    [Fact]
    public void ResultDoesNotDependOnChunkingNorBatchAndRepeatsForASeed()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(61);
        using var model = new TinyConvClassifier();
        var x = rand([4, 1, 8, 8], generator: new Generator(6));
        var baselines = rand([5, 1, 8, 8], generator: new Generator(7)) * 0.3;
        var targets = tensor(new long[] { 1, 0, 3, 2 });
        double[] Run(int perForward, long seed = 11, double stdDev = 0.1)
        {
            using var shap = new GradientShap(model, new GradientShapOptions { Samples = 6, StdDev = stdDev, MaxImagesPerForward = perForward, Seed = seed });
            return Values(shap.Attribute(x, targets, baselines));
        }

        var whole = Run(256);
        Assert.True(Close(whole, Run(7)));
        Assert.True(Close(whole, Run(1)));
        using var smooth = Smooth();
        using var one = new GradientShap(smooth, new GradientShapOptions { Samples = 6, StdDev = 0.1, MaxImagesPerForward = 1, Seed = 3 });
        using var all = new GradientShap(smooth, new GradientShapOptions { Samples = 6, StdDev = 0.1, Seed = 3 });
        Assert.Equal(Values(all.Attribute(x, targets % 2, baselines)), Values(one.Attribute(x, targets % 2, baselines)));
        Assert.NotEqual(whole, Run(256, seed: 12));
        Assert.NotEqual(whole, Run(256, stdDev: 0));

        var options = new GradientShapOptions { Samples = 4, StdDev = 0.05, Seed = 13 };
        using var together = new GradientShap(model, options);
        var batched = together.AttributeWithDelta(x, targets, baselines);
        for (int i = 0; i < 4; i++)
        {
            using var alone = new GradientShap(model, options);
            var single = alone.AttributeWithDelta(x.narrow(0, i, 1), targets.narrow(0, i, 1), baselines);
            Assert.True((single.Attributions - batched.Attributions.narrow(0, i, 1)).abs().max().item<float>() <= 1e-6f, $"image {i}");
            Assert.True((single.Delta - batched.Delta.narrow(0, i, 1)).abs().max().item<float>() <= 1e-5f, $"delta {i}");
        }
    }

    [Fact]
    public void Float32AtBatchFourMatchesFloat64()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(62);
        using var model = new TinyConvClassifier();
        using var model64 = model.CopyAs(ScalarType.Float64);
        var x = rand([4, 1, 8, 8], generator: new Generator(8));
        var baselines = rand([3, 1, 8, 8], generator: new Generator(9)) * 0.2;
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var options = new GradientShapOptions { Samples = 3, Seed = 5 };
        using var single = new GradientShap(model, options);
        using var dbl = new GradientShap(model64, options);
        var a = single.Attribute(x, targets, baselines).to_type(ScalarType.Float64);
        var b = dbl.Attribute(x.to_type(ScalarType.Float64), targets, baselines.to_type(ScalarType.Float64));
        double scale = b.abs().max().item<double>();
        Assert.True(scale > 1e-3);
        Assert.True((a - b).abs().max().item<double>() < 1e-4 * scale);
    }

    [Fact]
    public void BaselinesThatDoNotFitAreRefusedByName()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvClassifier();
        using var shap = new GradientShap(model);
        var x = rand(4, 1, 8, 8);
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var ex = Assert.Throws<ArgumentException>(() => shap.Attribute(x, targets, zeros(2, 3, 8, 8)));
        Assert.Equal("baselines", ex.ParamName);
        Assert.Contains("[B, 1, 8, 8]", ex.Message);
        Assert.Equal("baselines", Assert.Throws<ArgumentException>(() => shap.AttributeWithDelta(x, targets, zeros(0, 1, 8, 8))).ParamName);
        Assert.Equal("baselines", Assert.Throws<ArgumentException>(() => shap.Attribute(x, targets, zeros(2, 1, 8, 8, ScalarType.Int32))).ParamName);
        // A single reference image and per-baseline constants broadcast.
        Assert.Equal(x.shape, shap.Attribute(x, targets, zeros(1, 8, 8)).shape);
        Assert.Equal(x.shape, shap.Attribute(x, targets, zeros(3, 1, 1, 1)).shape);
        Assert.Throws<ArgumentException>(() => new GradientShap(model, new GradientShapOptions { Samples = 0 }));
        Assert.Throws<ArgumentException>(() => new GradientShap(model, new GradientShapOptions { StdDev = -0.1 }));
    }
}
