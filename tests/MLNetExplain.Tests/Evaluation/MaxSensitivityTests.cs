using MLNetExplain.Attribution;
using MLNetExplain.Evaluation;
using MLNetExplain.Tests.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

public class MaxSensitivityTests
{
    private static Tensor Images(int n, int seed = 4) => rand([n, 1, 4, 4], ScalarType.Float64, generator: new TorchSharp.torch.Generator((ulong)seed));

    [Fact]
    public void AConstantMapAndALinearModelsGradientHaveSensitivityZero()
    {
        using var scope = NewDisposeScope();
        using var model = new FlatLinear();
        var x = Images(6);
        var t = AttributionTargets.Predicted(model, x);
        var options = new MaxSensitivityOptions { Samples = 20 };
        var constant = new FormulaAttribution((inputs, _, _) => full_like(inputs, 0.5));
        Assert.All(MaxSensitivity.Compute(model, constant, x, t, options).Values, v => Assert.True(v == 0 || double.IsNaN(v)));
        // A linear model's gradient W[t] does not depend on the input.
        var result = MaxSensitivity.Compute(model, new Saliency(model, absolute: false), x, t, options);
        Assert.Contains(result.Values, v => !double.IsNaN(v));
        Assert.All(result.Values, v => Assert.True(v == 0 || double.IsNaN(v)));
    }

    [Fact]
    public void InputTimesWeightHasTheClosedFormMaxOfItsNoise()
    {
        using var scope = NewDisposeScope();
        // One class: the prediction can never change, so every sample counts.
        using var model = new FlatLinear(classes: 1);
        var x = Images(3);
        var t = zeros(3, ScalarType.Int64);
        var inputTimesWeight = new FormulaAttribution((inputs, _, _) => inputs * model.Weight.view(1, 1, 4, 4));
        var options = new MaxSensitivityOptions { Samples = 5, Seed = 9, Radius = 0.1 };
        var result = MaxSensitivity.Compute(model, inputTimesWeight, x, t, options);
        // a(x + δ) - a(x) = δ ⊙ w: max over the seeded draws of ‖δ ⊙ w‖ / ‖x ⊙ w‖.
        var w = model.Weight.view(1, 1, 4, 4);
        var generator = new TorchSharp.torch.Generator(9);
        var expected = full(3, double.NegativeInfinity, ScalarType.Float64);
        for (int s = 0; s < 5; s++)
        {
            var delta = rand([3, 1, 4, 4], ScalarType.Float32, generator: generator).mul_(0.2).sub_(0.1).to_type(ScalarType.Float64);
            expected = maximum(expected, (delta * w).flatten(1).norm(1) / (x * w).flatten(1).norm(1));
        }

        Assert.All(expected.data<double>().ToArray().Zip(result.Values), p => Assert.Equal(p.First, p.Second, 6));
        Assert.All(result.KeptSamples, k => Assert.Equal(5, k));
        // Captum's unnormalised variant is the numerator alone; the same seed repeats, another differs.
        var captum = MaxSensitivity.Compute(model, inputTimesWeight, x, t, options with { Relative = false });
        var norms = (x * w).flatten(1).norm(1).data<double>().ToArray();
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(result.Values[i] * norms[i], captum.Values[i], 9));
        Assert.Equal(result.Values, MaxSensitivity.Compute(model, inputTimesWeight, x, t, options with { MaxImagesPerCall = 2 }).Values);
        Assert.NotEqual(result.Values, MaxSensitivity.Compute(model, inputTimesWeight, x, t, options with { Seed = 10 }).Values);
    }

    [Fact]
    public void SamplesThatChangeThePredictionAreSkipped()
    {
        using var scope = NewDisposeScope();
        // The class is the sign of the first pixel, which sits at 0: noise flips it about half of the time.
        using var model = new FunctionModel(x => stack([x.flatten(1)[.., 0], -x.flatten(1)[.., 0]], 1));
        var x = zeros([1, 1, 4, 4], ScalarType.Float64);
        var inputs = new FormulaAttribution((inputs, _, _) => inputs + 1);
        var result = MaxSensitivity.Compute(model, inputs, x, zeros(1, ScalarType.Int64), new MaxSensitivityOptions { Samples = 40 });
        Assert.InRange(result.KeptSamples[0], 5, 35);
        var all = MaxSensitivity.Compute(model, inputs, x, zeros(1, ScalarType.Int64), new MaxSensitivityOptions { Samples = 40, SkipChangedPredictions = false });
        Assert.Equal(40, all.KeptSamples[0]);
        Assert.True(all.Values[0] >= result.Values[0]);
        // No sample can keep the prediction of an image that has none stable: NaN, and no mean.
        using var flip = new FunctionModel(x => stack([x.flatten(1)[.., 0] - 0.5, 0.5 - x.flatten(1)[.., 0]], 1));
        var always = MaxSensitivity.Compute(flip, inputs, full([1, 1, 4, 4], 0.5, ScalarType.Float64), zeros(1, ScalarType.Int64), new MaxSensitivityOptions { Samples = 4, Radius = 0 });
        Assert.Equal(4, always.KeptSamples[0]); // radius 0 never changes anything
        Assert.Equal(0, always.Values[0]);
    }
}
