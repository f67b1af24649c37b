using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Perturbation;

public class OcclusionTests
{
    private static double[] Occlude(CountingModel model, double[,] x, OcclusionOptions options, double[]? baselines = null, long[]? targets = null)
    {
        using var scope = NewDisposeScope();
        var method = new Occlusion(model, options);
        var inputs = tensor(x);
        var classes = tensor(targets ?? [.. Enumerable.Repeat(0L, x.GetLength(0))]);
        return Values.Of(method.Attribute(inputs, classes, baselines is null ? null : tensor(baselines)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CaptumMultiLayerValuesForEveryPerturbationsPerEval(int perEval)
    {
        // Captum's tests/attr/test_occlusion.py on BasicModel_MultiLayer, target 0.
        using var model = PerturbationModels.MultiLayer();
        var one = new double[,] { { 20, 50, 30 } };
        Assert.Equal([80, 200, 120], Occlude(model, one, new() { WindowShape = [1], PerturbationsPerEval = perEval }));
        // Window 2, stride 1: the middle element is the mean of two windows.
        Assert.Equal([200, 220, 240], Occlude(model, one, new() { WindowShape = [2], PerturbationsPerEval = perEval }, baselines: [10, 10, 10]));
        // Window 2, stride 2: ceil(1 / 2) + 1 = 2 positions, the second cut short to the last element.
        Assert.Equal([280, 280, 120], Occlude(model, one, new() { WindowShape = [2], Strides = [2], PerturbationsPerEval = perEval }));
        // Two examples, each explained alone; below s = 10 the model is not linear (35 is not 4 x 10).
        Assert.Equal([8, 35, 12, 80, 200, 120], Occlude(model, new double[,] { { 2, 10, 3 }, { 20, 50, 30 } }, new() { WindowShape = [1], PerturbationsPerEval = perEval }));
    }

    [Fact]
    public void PaperSettingTakes225OccludedPassesAndAveragesOverCoveringWindows()
    {
        using var scope = NewDisposeScope();
        var paper = new OcclusionOptions { WindowShape = [3, 4, 4], Strides = [2] };

        // F drops by 5 whenever any pixel is occluded: every window adds 5, so the mean is 5 everywhere while the
        // sums would be 5 x (1, 2 or 4) windows.
        using var constant = new CountingModel(x => (x == 0).flatten(1).any(1).to_type(x.dtype).unsqueeze(1) * -5);
        var method = new Occlusion(constant, paper);
        Assert.Equal(225, method.WindowPositions(3, 32, 32));
        var maps = method.Attribute(ones(2, 3, 32, 32), zeros(2, ScalarType.Int64));
        Assert.Equal(226, constant.Forwards);
        Assert.Equal(2 * 226, constant.Images);
        Assert.All(Values.Of(maps), v => Assert.Equal(5.0, v));

        // Captum's chunking: 8 windows per pass is 1 clean + ceil(225 / 8) = 1 + 29 passes.
        constant.Reset();
        _ = new Occlusion(constant, paper with { PerturbationsPerEval = 8 }).Attribute(ones(1, 3, 32, 32), zeros(1, ScalarType.Int64));
        Assert.Equal(30, constant.Forwards);

        // F = sum(x) with only the two corner pixels set (all channels): a pixel's value is 3 x the fraction of its
        // covering windows that hold a corner, which spells out the coverage [1, 1, 2, 2, ..., 2, 2, 1, 1] per axis.
        using var sum = new CountingModel(x => x.flatten(1).sum(1, keepdim: true));
        var corners = zeros(1, 3, 32, 32, ScalarType.Float64);
        corners[.., .., 0, 0] = tensor(1.0);
        corners[.., .., 31, 31] = tensor(1.0);
        var map = new Occlusion(sum, paper).Attribute(corners, zeros(1, ScalarType.Int64))[0];
        var channel = Values.Of(map[1]);
        Assert.Equal([3, 3, 1.5, 1.5, 0, 0], channel[..6]);
        Assert.Equal([3, 3, 0.75, 0.75, 0, 0], Enumerable.Range(0, 6).Select(h => channel[h * 32 + h]));
        Assert.Equal([0, 0, 1.5, 1.5, 3, 3], channel[(31 * 32 + 26)..]);
        Assert.Equal(channel, Values.Of(map[0]));
        Assert.Equal(channel, Values.Of(map[2]));
    }

    [Fact]
    public void MatchesAReferenceLoopWithCutShortWindowsAndDependsOnNeitherBatchNorChunking()
    {
        using var scope = NewDisposeScope();
        var weights = randn([2, 5, 8], ScalarType.Float64, generator: new Generator(4));
        using var model = PerturbationModels.Linear(weights);
        var x = randn([4, 2, 5, 8], ScalarType.Float64, generator: new Generator(5));
        var targets = tensor(new long[] { 0, 1, 1, 0 });
        // Heights: window 3, stride 2 on 5 gives starts 0, 2; widths: starts 0, 2, 4, 6, the last cut to 2 columns.
        var options = new OcclusionOptions { WindowShape = [1, 3, 3], Strides = [1, 2, 2], BaselineValue = 0.5 };
        var method = new Occlusion(model, options);
        Assert.Equal(2 * 2 * 4, method.WindowPositions(2, 5, 8));
        var maps = method.Attribute(x, targets);
        Assert.Equal(x.shape, maps.shape);

        var w = Values.Of(weights);
        var all = Values.Of(x);
        for (int n = 0; n < 4; n++)
        {
            var expected = Reference(all.AsSpan(n * 80, 80).ToArray(), w, targets[n].item<long>() == 0 ? 1 : -1, 0.5);
            Values.Near(expected, Values.Of(maps[n]), 1e-12);
            // Batch invariance: the example alone gives the same map.
            Values.Near(Values.Of(maps[n]), Values.Of(method.Attribute(x[n..(n + 1)], targets[n..(n + 1)])[0]), 1e-12);
        }

        foreach (int perEval in new[] { 2, 5, 16, 40 })
        {
            var chunked = new Occlusion(model, options with { PerturbationsPerEval = perEval }).Attribute(x, targets);
            Values.Near(Values.Of(maps), Values.Of(chunked), 1e-12);
        }
    }

    /// <summary>Occlusion of the linear score sign * w . x over [2, 5, 8] with window [1, 3, 3] and strides [1, 2, 2], by loops.</summary>
    private static double[] Reference(double[] x, double[] w, int sign, double baseline)
    {
        var sum = new double[80];
        var count = new double[80];
        foreach (int c in new[] { 0, 1 })
        {
            foreach (int top in new[] { 0, 2 })
            {
                foreach (int left in new[] { 0, 2, 4, 6 })
                {
                    var covered = (from h in Enumerable.Range(top, 3) from v in Enumerable.Range(left, Math.Min(3, 8 - left)) select c * 40 + h * 8 + v).ToList();
                    double drop = sign * covered.Sum(i => w[i] * (x[i] - baseline));
                    covered.ForEach(i => { sum[i] += drop; count[i]++; });
                }
            }
        }

        return [.. sum.Zip(count, (s, k) => s / k)];
    }

    [Fact]
    public void BadWindowsThrowNamingTheOptionBeforeAnyForwardPass()
    {
        using var scope = NewDisposeScope();
        using var model = PerturbationModels.Linear(ones(1, 4, 4));
        var x = ones(1, 1, 4, 4);
        var t = zeros(1, ScalarType.Int64);
        void Throws(string option, OcclusionOptions options)
        {
            var ex = Assert.Throws<ArgumentException>(() => new Occlusion(model, options).Attribute(x, t));
            Assert.Equal(option, ex.ParamName);
        }

        // Captum's test_improper_window_shape / test_improper_stride / test_too_large_stride cases.
        Throws("WindowShape", new() { WindowShape = [1, 2] });
        Throws("WindowShape", new() { WindowShape = [1, 1, 1, 2] });
        Throws("Strides", new() { WindowShape = [1, 2, 2], Strides = [1, 2] });
        Throws("Strides", new() { WindowShape = [1, 1, 2], Strides = [2] });
        Throws("WindowShape", new() { WindowShape = [2, 1, 2], Strides = [2] });
        Throws("WindowShape", new() { WindowShape = [1, 0, 2] });
        Throws("WindowSize", new() { WindowSize = 5 });
        Throws("WindowSize", new() { WindowSize = 0 });
        Throws("PerturbationsPerEval", new() { PerturbationsPerEval = 0 });
        Throws("Strides", new() { Strides = [0] });
        Assert.Equal(0, model.Forwards);

        // A window equal to the input takes any stride (one position), as in Captum.
        Assert.Equal(1, new Occlusion(model, new() { WindowShape = [1, 4, 4], Strides = [9] }).WindowPositions(1, 4, 4));
    }
}
