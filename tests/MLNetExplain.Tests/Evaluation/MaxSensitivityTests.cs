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
        // a(x + δ) - a(x) = δ ⊙ w: max over the seeded draws of ‖δ ⊙ w‖, over ‖x‖ (Quantus), ‖x ⊙ w‖ or 1 (Captum).
        var w = model.Weight.view(1, 1, 4, 4);
        var generator = new TorchSharp.torch.Generator(9);
        var numerator = full(3, double.NegativeInfinity, ScalarType.Float64);
        for (int s = 0; s < 5; s++)
        {
            var delta = rand([3, 1, 4, 4], ScalarType.Float32, generator: generator).mul_(0.2).sub_(0.1).to_type(ScalarType.Float64);
            numerator = maximum(numerator, (delta * w).flatten(1).norm(1));
        }

        void Expect(Tensor expected, double[] actual) => Assert.All(expected.data<double>().ToArray().Zip(actual), p => Assert.Equal(p.First, p.Second, 6));
        Expect(numerator / x.flatten(1).norm(1), result.Values);
        Assert.All(result.KeptSamples, k => Assert.Equal(5, k));
        Expect(numerator / (x * w).flatten(1).norm(1), MaxSensitivity.Compute(model, inputTimesWeight, x, t, options with { Normalization = SensitivityNormalization.Explanation }).Values);
        Expect(numerator, MaxSensitivity.Compute(model, inputTimesWeight, x, t, options with { Normalization = SensitivityNormalization.None }).Values);
        // The same seed repeats whatever the chunking, another seed differs.
        Assert.Equal(result.Values, MaxSensitivity.Compute(model, inputTimesWeight, x, t, options with { MaxImagesPerCall = 2 }).Values);
        Assert.NotEqual(result.Values, MaxSensitivity.Compute(model, inputTimesWeight, x, t, options with { Seed = 10 }).Values);
    }

    [Fact]
    public void SamplesThatChangeThePredictionAreKeptSkippedOrMakeTheImageNaN()
    {
        using var scope = NewDisposeScope();
        // The class is the sign of the first pixel: image 0 has it at 0 (noise flips it about half of the time), image 1 at 0.9 (never flips).
        using var model = new FunctionModel(x => stack([x.flatten(1)[.., 0], -x.flatten(1)[.., 0]], 1));
        var x = zeros([2, 1, 4, 4], ScalarType.Float64) + 0.5;
        x[0, 0, 0, 0] = tensor(0.0);
        x[1, 0, 0, 0] = tensor(0.9);
        var t = zeros(2, ScalarType.Int64);
        var inputs = new FormulaAttribution((inputs, _, _) => inputs + 1);
        var options = new MaxSensitivityOptions { Samples = 40 };
        var kept = MaxSensitivity.Compute(model, inputs, x, t, options);
        var skipped = MaxSensitivity.Compute(model, inputs, x, t, options with { ChangedPredictions = ChangedPredictionHandling.Skip });
        var nan = MaxSensitivity.Compute(model, inputs, x, t, options with { ChangedPredictions = ChangedPredictionHandling.NaN });
        Assert.Equal([40, 40], kept.KeptSamples);
        Assert.InRange(skipped.KeptSamples[0], 5, 35);
        Assert.Equal(40, skipped.KeptSamples[1]);
        Assert.True(kept.Values[0] >= skipped.Values[0] && skipped.Values[0] > 0);
        Assert.True(double.IsNaN(nan.Values[0]));
        Assert.Equal(kept.Values[1], nan.Values[1]);
        Assert.Equal(kept.Values[1], skipped.Values[1]);
        Assert.Equal(nan.Values[1], nan.Mean);
    }
}
