using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Perturbation;

public class FeatureAblationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CaptumMultiLayerValuesForEveryPerturbationsPerEval(int perEval)
    {
        // Captum's tests/attr/test_feature_ablation.py on BasicModel_MultiLayer, target 0.
        using var scope = NewDisposeScope();
        using var model = PerturbationModels.MultiLayer();
        var method = new FeatureAblation(model, new() { PerturbationsPerEval = perEval });
        var one = tensor(new double[,] { { 20, 50, 30 } });
        var t1 = zeros(1, ScalarType.Int64);
        // Default mask: every scalar its own feature.
        Assert.Equal([80, 200, 120], Values.Of(method.Attribute(one, t1)));
        Assert.Equal([280, 280, 120], Values.Of(method.Attribute(one, t1, tensor(new long[,] { { 0, 0, 1 } }))));
        Assert.Equal([248, 248, 104], Values.Of(method.Attribute(one, t1, tensor(new long[,] { { 0, 0, 1 } }), tensor(4.0))));
        // One mask per example.
        var two = tensor(new double[,] { { 2, 10, 3 }, { 20, 50, 30 } });
        Assert.Equal([41, 41, 12, 280, 280, 120],
            Values.Of(method.Attribute(two, zeros(2, ScalarType.Int64), tensor(new long[,] { { 0, 0, 1 }, { 1, 1, 0 } }))));
    }

    [Fact]
    public void SuperpixelsOfALinearModelGetTheirGroupsContribution()
    {
        using var scope = NewDisposeScope();
        var weights = randn([2, 5, 6], ScalarType.Float64, generator: new Generator(7));
        using var model = PerturbationModels.Linear(weights);
        var x = randn([3, 2, 5, 6], ScalarType.Float64, generator: new Generator(8));
        var targets = tensor(new long[] { 0, 1, 0 });
        var baseline = 0.25;
        var method = new FeatureAblation(model, new() { SuperpixelSize = 2, BaselineValue = baseline });
        var maps = method.Attribute(x, targets);

        // 2 x 2 cells over 5 x 6 (the last row of cells one pixel high): 3 x 3 = 9 forward passes after the clean one.
        Assert.Equal(1 + 9, model.Forwards);
        var w = Values.Of(weights);
        var all = Values.Of(x);
        for (int n = 0; n < 3; n++)
        {
            int sign = n == 1 ? -1 : 1;
            var expected = new double[60];
            for (int i = 0; i < 60; i++)
            {
                int h = i % 30 / 6, v = i % 6;
                var group = Enumerable.Range(0, 60).Where(j => j % 30 / 6 / 2 == h / 2 && j % 6 / 2 == v / 2);
                expected[i] = sign * group.Sum(j => w[j] * (all[n * 60 + j] - baseline));
            }

            Values.Near(expected, Values.Of(maps[n]), 1e-12);
            Values.Near(Values.Of(maps[n]), Values.Of(method.Attribute(x[n..(n + 1)], targets[n..(n + 1)])[0]), 1e-12);
        }

        var chunked = new FeatureAblation(model, new() { SuperpixelSize = 2, BaselineValue = baseline, PerturbationsPerEval = 4 }).Attribute(x, targets);
        Values.Near(Values.Of(maps), Values.Of(chunked), 1e-12);
    }

    [Fact]
    public void GridNumbersSquareCellsRowByRowWithTheChannelsTogether()
    {
        using var grid = FeatureMasks.Grid(3, 5, 2);
        Assert.Equal([1, 3, 5], grid.shape);
        Assert.Equal([0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 3, 3, 4, 4, 5], grid.data<long>().ToArray());
        using var every = FeatureMasks.EveryElement(2, 2);
        Assert.Equal([0, 1, 2, 3], every.data<long>().ToArray());
    }

    [Fact]
    public void BadMasksThrowNamingTheArgumentBeforeAnyForwardPass()
    {
        using var scope = NewDisposeScope();
        using var model = PerturbationModels.Linear(ones(1, 2, 2));
        var method = new FeatureAblation(model);
        var x = ones(2, 1, 2, 2);
        var t = zeros(2, ScalarType.Int64);
        void Throws(string name, Action action) => Assert.Equal(name, Assert.Throws<ArgumentException>(action).ParamName);

        Throws("featureMask", () => method.Attribute(x, t, zeros(1, 2, 2)));                       // float ids
        Throws("featureMask", () => method.Attribute(x, t, zeros([1, 2, 2], ScalarType.Bool)));     // bool ids
        Throws("featureMask", () => method.Attribute(x, t, zeros([1, 3, 2], ScalarType.Int64)));    // wrong shape
        Throws("featureMask", () => method.Attribute(x, t, zeros([3, 1, 2, 2], ScalarType.Int64))); // wrong batch
        Throws("featureMask", () => method.Attribute(x, t, full([1, 2, 2], -1L, ScalarType.Int64)));
        Throws("baselines", () => method.Attribute(x, t, null, ones(3, 2)));
        Throws("SuperpixelSize", () => new FeatureAblation(model, new() { SuperpixelSize = 2 }).Attribute(ones(2, 4), t));
        Throws("SuperpixelSize", () => new FeatureAblation(model, new() { SuperpixelSize = 0 }));
        Throws("PerturbationsPerEval", () => new FeatureAblation(model, new() { PerturbationsPerEval = 0 }));
        Assert.Equal(0, model.Forwards);

        // A mask shaped like one example equals the default, every element its own feature.
        Assert.Equal(Values.Of(method.Attribute(x, t)), Values.Of(method.Attribute(x, t, FeatureMasks.EveryElement(1, 2, 2))));
    }
}
