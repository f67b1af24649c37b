using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Perturbation;

public class KernelShapTests
{
    [Fact]
    public void ShapleyValuesOfALinearModelAreEachSuperpixelsContribution()
    {
        using var scope = NewDisposeScope();
        var weights = randn([3, 8, 8], ScalarType.Float64, generator: new Generator(6));
        using var model = PerturbationModels.Linear(weights);
        var x = rand([2, 3, 8, 8], ScalarType.Float64, generator: new Generator(7));
        var targets = tensor(new long[] { 0, 1 });
        const double baseline = 0.5;
        // Default: 4 x 4 superpixels (4 features), 25 coalitions, one per forward pass.
        var maps = Values.Of(new KernelShap(model, new() { BaselineValue = baseline }).Attribute(x, targets));
        Assert.Equal(25, model.Forwards);
        var w = Values.Of(weights);
        var all = Values.Of(x);
        for (int n = 0; n < 2; n++)
        {
            int sign = n == 0 ? 1 : -1;
            var expected = Enumerable.Range(0, 192).Select(i => sign * Enumerable.Range(0, 192)
                .Where(j => j % 64 / 8 / 4 == i % 64 / 8 / 4 && j % 8 / 4 == i % 8 / 4)
                .Sum(j => w[j] * (all[n * 192 + j] - baseline))).ToArray();
            Values.Near(expected, maps.AsSpan(n * 192, 192).ToArray(), 1e-6);
        }
    }

    [Fact]
    public void AnInteractionIsSharedEquallyAndTheValuesAddUpToTheChange()
    {
        using var scope = NewDisposeScope();
        // F = x0 x1 x2 + 2 x3 at x = (1.5, 2, 1, 3), baseline 0: Shapley values (1, 1, 1, 6), summing to F(x) - F(0) = 9.
        using var model = new CountingModel(v => (v[.., 0] * v[.., 1] * v[.., 2] + 2 * v[.., 3]).unsqueeze(1));
        var x = tensor(new double[,] { { 1.5, 2, 1, 3 } });
        var values = Values.Of(new KernelShap(model, new() { SuperpixelSize = null, Samples = 2000, PerturbationsPerEval = 500, Seed = 2 }).Attribute(x, zeros(1, ScalarType.Int64)));
        Assert.InRange(values.Sum(), 9 - 1e-3, 9 + 1e-3); // the end coalitions' weight 1e6 pins the sum
        // Sampling noise: about 0.06 per value at 2000 coalitions (0.13 at 400, by simulation).
        Values.Near([1, 1, 1, 6], values, 0.25);
        // LIME's unweighted uniform coalitions would give the interaction 0.25 x 3 per feature, not 1.
    }

    [Fact]
    public void CoalitionSizesFollowTheShapleyKernelAndMembersAreUniform()
    {
        // M = 6: p(k) is proportional to 5 / (k (6 - k)) = [1, 5/8, 5/9, 5/8, 1] for k = 1..5 (not uniform).
        const int m = 6, samples = 20_002;
        using var generator = new Generator(1);
        var (design, weights) = KernelShap.Coalitions(m, samples, generator);
        Assert.Equal([1e6, 1e6, 1, 1], weights[..4]);
        Assert.Equal(Enumerable.Repeat(1.0, m).Concat(Enumerable.Repeat(0.0, m)), design[..(2 * m)]);
        double[] kernel = [1, 5 / 8.0, 5 / 9.0, 5 / 8.0, 1];
        var sizes = new int[m + 1];
        var members = new double[m];
        for (int s = 2; s < samples; s++)
        {
            var row = design.AsSpan(s * m, m).ToArray();
            sizes[(int)row.Sum()]++;
            for (int j = 0; j < m; j++)
            {
                members[j] += row[j];
            }
        }

        Assert.Equal(0, sizes[0] + sizes[m]);
        for (int k = 1; k < m; k++)
        {
            // Binomial standard error at 20000 draws is under 0.0035; 0.012 is more than 3 of them.
            Assert.InRange(sizes[k] / 20_000.0, kernel[k - 1] / kernel.Sum() - 0.012, kernel[k - 1] / kernel.Sum() + 0.012);
        }

        // By symmetry of p(k), each feature is present in half of the coalitions.
        Assert.All(members, count => Assert.InRange(count / 20_000, 0.49, 0.51));
    }

    [Fact]
    public void OneFeatureTakesTheTwoEndCoalitions()
    {
        using var scope = NewDisposeScope();
        using var model = PerturbationModels.MultiLayer();
        var x = tensor(new double[,] { { 20, 50, 30 } });
        var map = Values.Of(new KernelShap(model).Attribute(x, zeros(1, ScalarType.Int64), zeros(3, ScalarType.Int64)));
        Assert.Equal(2, model.Forwards);
        // One player gets the whole change: F(x) - F(0) = (90 + 3 x 101 - 1) - (3 x 1 - 1) = 390.
        Values.Near([390, 390, 390], map, 1e-6);
    }

    [Fact]
    public void SeedsRepeatAndDifferAndTheMapDependsNeitherOnTheBatchNorOnChunking()
    {
        using var scope = NewDisposeScope();
        using var model = LimeTests.Curved(randn([2, 8, 8], ScalarType.Float64, generator: new Generator(8)));
        var x = rand([3, 2, 8, 8], ScalarType.Float64, generator: new Generator(9));
        var targets = tensor(new long[] { 1, 0, 1 });
        var options = new KernelShapOptions { SuperpixelSize = 2, Samples = 20, Seed = 3 };
        var maps = Values.Of(new KernelShap(model, options).Attribute(x, targets));
        Assert.Equal(maps, Values.Of(new KernelShap(model, options).Attribute(x, targets)));
        Assert.NotEqual(maps, Values.Of(new KernelShap(model, options with { Seed = 4 }).Attribute(x, targets)));
        Assert.Equal(maps, Values.Of(new KernelShap(model, options with { PerturbationsPerEval = 6 }).Attribute(x, targets)));
        var shap = new KernelShap(model, options);
        for (int n = 0; n < 3; n++)
        {
            Assert.Equal(maps.AsSpan(n * 128, 128).ToArray(), Values.Of(shap.Attribute(x[n..(n + 1)], targets[n..(n + 1)])));
        }
    }

    [Fact]
    public void BadOptionsThrowNamingThem()
    {
        using var scope = NewDisposeScope();
        using var model = PerturbationModels.MultiLayer();
        void Throws(string name, Action action) => Assert.Equal(name, Assert.Throws<ArgumentException>(action).ParamName);
        Throws("Samples", () => new KernelShap(model, new() { Samples = 1 }));
        Throws("PerturbationsPerEval", () => new KernelShap(model, new() { PerturbationsPerEval = 0 }));
        Throws("SuperpixelSize", () => new KernelShap(model).Attribute(ones(1, 3), zeros(1, ScalarType.Int64)));
        Throws("featureMask", () => new KernelShap(model).Attribute(ones(1, 3), zeros(1, ScalarType.Int64), ones(1, 3)));
        Assert.Equal(0, model.Forwards);
    }
}
