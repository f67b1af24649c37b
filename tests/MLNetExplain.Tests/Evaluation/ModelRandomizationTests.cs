using MLNetExplain.Attribution;
using MLNetExplain.Evaluation;
using MLNetExplain.Tests.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

public class ModelRandomizationTests
{
    [Fact]
    public void SpearmanUsesAverageRanksAndIdenticalMapsScoreOne()
    {
        Assert.Equal(1, MapSimilarity.Spearman([1, 2, 3, 4], [10, 20, 30, 40]), 12);
        Assert.Equal(-1, MapSimilarity.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
        // Ranks [1.5, 1.5, 3] against [1, 2, 3]: r = 1.5 / sqrt(1.5 * 2) (scipy.stats.spearmanr gives 0.8660).
        Assert.Equal(1.5 / Math.Sqrt(3), MapSimilarity.Spearman([5, 5, 7], [1, 2, 3]), 12);
        Assert.True(double.IsNaN(MapSimilarity.Spearman([1, 1, 1], [1, 2, 3])));
    }

    [Fact]
    public void SsimOfOneWindowMatchesTheFormula()
    {
        using var scope = NewDisposeScope();
        var a = rand([7, 7], ScalarType.Float64, generator: new TorchSharp.torch.Generator(1));
        var b = rand([7, 7], ScalarType.Float64, generator: new TorchSharp.torch.Generator(2));
        Assert.Equal(1, MapSimilarity.Ssim(a, a), 12);
        Assert.Equal(1, MapSimilarity.Ssim(a.unsqueeze(0), a.unsqueeze(0)), 12);
        // One 7 x 7 window: SSIM = (2 μa μb + C1)(2 σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2)), sample covariances.
        var x = a.data<double>().ToArray();
        var y = b.data<double>().ToArray();
        double mx = x.Average(), my = y.Average();
        double vx = x.Sum(v => (v - mx) * (v - mx)) / 48, vy = y.Sum(v => (v - my) * (v - my)) / 48;
        double vxy = x.Zip(y, (p, q) => (p - mx) * (q - my)).Sum() / 48;
        double range = Math.Max(x.Max(), y.Max()) - Math.Min(x.Min(), y.Min());
        double c1 = Math.Pow(0.01 * range, 2), c2 = Math.Pow(0.03 * range, 2);
        double expected = (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        Assert.Equal(expected, MapSimilarity.Ssim(a, b), 12);
        Assert.Throws<ArgumentException>(() => MapSimilarity.Ssim(zeros(6, 6), zeros(6, 6)));
    }

    [Fact]
    public void RandomisingALinearModelGivesItsGradientTheNewWeightsAndRestoresTheModel()
    {
        using var scope = NewDisposeScope();
        using var model = new FlatLinear(classes: 3, seed: 5);
        var before = model.Weight.clone();
        var x = rand([3, 1, 4, 4], ScalarType.Float64, generator: new TorchSharp.torch.Generator(3));
        var t = tensor(new long[] { 0, 1, 2 });
        var options = new ModelRandomizationOptions { SsimWindowSize = 3, Seed = 7 };
        var result = ModelRandomization.Compute(model, new Saliency(model), x, t, options);
        var layer = Assert.Single(result.Layers);
        Assert.Equal("fc", layer.Layer);
        Assert.True(model.Weight.eq(before).all().item<bool>(), "the trained weights are restored");

        // The randomised gradient is |W'[t]| with W' ~ U(-1/4, 1/4) drawn from seed 7 + 1 (fan-in 16).
        var generator = new TorchSharp.torch.Generator(8);
        var randomWeight = rand([3, 16], ScalarType.Float32, generator: generator).mul_(0.5).sub_(0.25).to_type(ScalarType.Float64);
        for (int i = 0; i < 3; i++)
        {
            var original = before[i].abs();
            var randomized = randomWeight[i].abs();
            Assert.Equal(MapSimilarity.Spearman(original.data<double>().ToArray(), randomized.data<double>().ToArray()), layer.Spearman[i], 12);
            Assert.Equal(MapSimilarity.Ssim((original / original.max()).view(4, 4), (randomized / randomized.max()).view(4, 4), 3), layer.Ssim[i], 12);
        }

        Assert.True(layer.MeanSpearman < 0.5, $"independent weights should not correlate; got {layer.MeanSpearman}");
    }

    [Fact]
    public void CascadingOrderIsTopDownAndAnInputIndependentMapStaysIdentical()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvClassifier(1, 8, 4);
        model.eval();
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var x = rand([2, 1, 8, 8], generator: new TorchSharp.torch.Generator(1));
        var t = tensor(new long[] { 0, 3 });
        var names = ModelRandomization.Layers(model).Select(l => l.Name).ToArray();
        Assert.Equal(["conv1", "bn1", "conv2", "conv3", "fc"], names);
        // A map that ignores the model stays identical at every layer: Spearman and SSIM 1.
        var fixedMap = new FormulaAttribution((inputs, _, _) => inputs.clone());
        var constant = ModelRandomization.Compute(model, fixedMap, x, t);
        Assert.Equal(names.Reverse(), constant.Layers.Select(l => l.Layer));
        Assert.All(constant.Layers, l => { Assert.Equal(1, l.MeanSpearman, 9); Assert.Equal(1, l.MeanSsim, 9); });
        var bottomUp = ModelRandomization.Compute(model, new Saliency(model), x, t, new ModelRandomizationOptions { Order = LayerOrder.BottomUp });
        Assert.Equal(names, bottomUp.Layers.Select(l => l.Layer));
        Assert.All(model.state_dict(), p => Assert.True(p.Value.eq(state[p.Key]).all().item<bool>(), p.Key));
        // Once every layer is random, the gradient no longer resembles the trained model's.
        var cascade = ModelRandomization.Compute(model, new Saliency(model), x, t);
        Assert.True(cascade.Layers[^1].MeanSpearman < 0.9);
        Assert.Equal(cascade.Layers.Select(l => l.MeanSpearman), ModelRandomization.Compute(model, new Saliency(model), x, t).Layers.Select(l => l.MeanSpearman));
        Assert.Throws<ArgumentException>(() => ModelRandomization.Compute(new FunctionModel(v => v.flatten(1)), fixedMap, x, t));
    }
}
