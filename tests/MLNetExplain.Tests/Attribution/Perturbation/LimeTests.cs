using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Perturbation;

public class LimeTests
{
    // A non-linear model whose per-example logits use only that example: [tanh(w . x), sum(x^2) / 10].
    internal static CountingModel Curved(Tensor weights) => new(x =>
    {
        var flat = x.flatten(1);
        return stack([(flat * weights.flatten().to(x.dtype)).sum(1).tanh(), flat.square().sum(1) / 10], 1);
    });

    [Fact]
    public void ALinearModelsCoefficientsComeBackWithTheirSignsAndOrder()
    {
        using var scope = NewDisposeScope();
        // Every scalar a feature; F(z) = sum_i w_i x_i z_i, so the exact coefficients are w_i x_i = [6, -4, 2, 1].
        using var model = PerturbationModels.Linear(tensor(new double[] { 3, -2, 1, 0.5 }));
        var x = full([1, 4], 2.0, ScalarType.Float64);
        var t = zeros(1, ScalarType.Int64);
        var lime = new Lime(model, new() { SuperpixelSize = null });
        var coefficients = Values.Of(lime.Attribute(x, t));
        Assert.Equal(25, model.Forwards); // Captum's default: 25 samples, one per forward pass, no clean pass
        Assert.Equal([0, 2, 3, 1], coefficients.Select((c, i) => (c, i)).OrderByDescending(p => p.c).Select(p => p.i));
        // Lasso's alpha = 0.01 shrinks each coefficient a little towards 0.
        Values.Near([6, -4, 2, 1], coefficients, 0.1);

        // Without the penalty the surrogate reproduces the linear model exactly; a large one zeroes the weakest feature.
        Values.Near([6, -4, 2, 1], Values.Of(new Lime(model, new() { SuperpixelSize = null, Alpha = 0 }).Attribute(x, t)), 1e-9);
        var sparse = Values.Of(new Lime(model, new() { SuperpixelSize = null, Alpha = 0.5 }).Attribute(x, t));
        Assert.Equal(0.0, sparse[3]);
        Assert.True(sparse[0] > 3 && sparse[0] < 6);
    }

    [Fact]
    public void SamplesAreWeightedByCaptumsExponentialKernelOnTheCosineDistance()
    {
        using var scope = NewDisposeScope();
        // With Alpha = 0 the surrogate is weighted least squares, repeated here from the documented draws: feature i
        // present where rand([Samples, M]) < 0.5 on a generator seeded with Seed, weight exp(-d^2 / (2 width^2)).
        Func<double[], double> f = v => v[0] * v[1] + v[2] * v[2];
        using var model = new CountingModel(v => (v[.., 0] * v[.., 1] + v[.., 2].square()).unsqueeze(1));
        double[] x = [1, 2, -1.5];
        const double baseline = 0.5, width = 0.7;
        var options = new LimeOptions { SuperpixelSize = null, Alpha = 0, Samples = 40, Seed = 3, BaselineValue = baseline, KernelWidth = width };
        var actual = Values.Of(new Lime(model, options).Attribute(tensor(x).view(1, 3), zeros(1, ScalarType.Int64)));

        using var generator = new Generator(3);
        var present = Values.Of(rand([40, 3], ScalarType.Float32, generator: generator) < 0.5);
        var y = new double[40];
        var weights = new double[40];
        for (int s = 0; s < 40; s++)
        {
            var perturbed = Enumerable.Range(0, 3).Select(i => present[s * 3 + i] == 1 ? x[i] : baseline).ToArray();
            double cosine = x.Zip(perturbed, (a, b) => a * b).Sum() / Math.Sqrt(x.Sum(a => a * a) * perturbed.Sum(b => b * b));
            y[s] = f(perturbed);
            weights[s] = Math.Exp(-(1 - cosine) * (1 - cosine) / (2 * width * width));
        }

        Values.Near(WeightedLeastSquares.Fit(present, 3, y, weights), actual, 1e-7);
        // The weights matter here: an unweighted fit is different.
        var unweighted = WeightedLeastSquares.Fit(present, 3, y, [.. Enumerable.Repeat(1.0, 40)]);
        Assert.True(unweighted.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);
    }

    [Fact]
    public void ImagesDefaultToFourPixelSuperpixelsOverAllChannels()
    {
        using var scope = NewDisposeScope();
        using var model = Curved(randn([3, 8, 8], generator: new Generator(1)));
        var x = rand([1, 3, 8, 8], generator: new Generator(2));
        var map = Values.Of(new Lime(model).Attribute(x, zeros(1, ScalarType.Int64)));
        using var grid = FeatureMasks.Grid(8, 8, 4);
        var ids = grid.data<long>().ToArray();
        for (int i = 0; i < map.Length; i++)
        {
            // Every element of a cell, in every channel, holds the cell's first pixel's value.
            int first = Array.IndexOf(ids, ids[i % 64]);
            Assert.Equal(map[first], map[i]);
        }

        Assert.Equal(4, map.Distinct().Count());
    }

    [Fact]
    public void SeedsRepeatAndDifferAndTheMapDependsNeitherOnTheBatchNorOnChunking()
    {
        using var scope = NewDisposeScope();
        using var model = Curved(randn([2, 8, 8], ScalarType.Float64, generator: new Generator(3)));
        var x = rand([4, 2, 8, 8], ScalarType.Float64, generator: new Generator(4));
        var targets = tensor(new long[] { 0, 1, 0, 1 });
        var options = new LimeOptions { Samples = 30, Seed = 11 };
        var maps = Values.Of(new Lime(model, options).Attribute(x, targets));
        Assert.Equal(maps, Values.Of(new Lime(model, options).Attribute(x, targets)));
        Assert.NotEqual(maps, Values.Of(new Lime(model, options with { Seed = 12 }).Attribute(x, targets)));
        Assert.Equal(maps, Values.Of(new Lime(model, options with { PerturbationsPerEval = 7 }).Attribute(x, targets)));
        var lime = new Lime(model, options);
        for (int n = 0; n < 4; n++)
        {
            Assert.Equal(maps.AsSpan(n * 128, 128).ToArray(), Values.Of(lime.Attribute(x[n..(n + 1)], targets[n..(n + 1)])));
        }

        // A caller's generator draws afresh on each call.
        using var generator = new Generator(5);
        Assert.NotEqual(Values.Of(lime.Attribute(x, targets, null, null, generator)), Values.Of(lime.Attribute(x, targets, null, null, generator)));
    }

    [Fact]
    public void BadOptionsAndMasksThrowNamingThem()
    {
        using var scope = NewDisposeScope();
        using var model = Curved(ones(4));
        void Throws(string name, Action action) => Assert.Equal(name, Assert.Throws<ArgumentException>(action).ParamName);
        Throws("Samples", () => new Lime(model, new() { Samples = 0 }));
        Throws("Alpha", () => new Lime(model, new() { Alpha = -1 }));
        Throws("KernelWidth", () => new Lime(model, new() { KernelWidth = 0 }));
        Throws("SuperpixelSize", () => new Lime(model).Attribute(ones(1, 4), zeros(1, ScalarType.Int64)));
        Throws("featureMask", () => new Lime(model).Attribute(ones(1, 4), zeros(1, ScalarType.Int64), ones(4)));
        Assert.Equal(0, model.Forwards);
    }

    [Fact]
    public void WeightedLassoIgnoresZeroWeightSamplesAndFitsAnUnpenalisedIntercept()
    {
        // y = 5 + 2 a - 3 b on the weighted rows; the zero-weight row would spoil an unweighted fit.
        double[] x = [0, 0, 1, 0, 0, 1, 1, 1, 1, 0];
        double[] y = [5, 7, 2, 4, 100];
        double[] weights = [1, 2, 0.5, 1, 0];
        Values.Near([2, -3], WeightedLasso.Fit(x, 2, y, weights, 0), 1e-9);
        Values.Near([2, -3], WeightedLeastSquares.Fit(x, 2, y, weights), 1e-9);
        // Twin columns: least squares splits the effect evenly (minimum norm).
        Values.Near([1, 1], WeightedLeastSquares.Fit([0, 0, 1, 1, 1, 1], 2, [0, 2, 2], [1, 1, 1]), 1e-9);
    }
}
