using MLNetExplain.Evaluation;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

public class CompletenessErrorTests
{
    [Fact]
    public void ExactLinearAttributionsHaveNoErrorAndInputTimesWeightMissesTheBaselinesTerm()
    {
        using var scope = NewDisposeScope();
        using var model = new FlatLinear();
        var x = rand([4, 1, 4, 4], ScalarType.Float64, generator: new TorchSharp.torch.Generator(2));
        var t = tensor(new long[] { 0, 1, 2, 1 });
        var baseline = full([1, 1, 4, 4], 0.25, ScalarType.Float64);
        Tensor W(Tensor targets) => model.Weight.index_select(0, targets).view(-1, 1, 4, 4);
        // IG of a linear model is exactly (x - x') ⊙ w.
        var exact = new FormulaAttribution((inputs, targets, b) => (inputs - (b ?? zeros_like(inputs))) * W(targets));
        var result = CompletenessError.Compute(model, exact, x, t, baseline, maxImagesPerCall: 3);
        Assert.All(result.Absolute, e => Assert.True(e < 1e-12));
        Assert.True(result.MeanRelative < 1e-12);
        Assert.True(CompletenessError.Compute(model, exact, x, t).MeanAbsolute < 1e-12);

        // x ⊙ w ignores the baseline: the error is |w · x'| = 0.25 |Σ w|.
        var inputTimesWeight = new FormulaAttribution((inputs, targets, _) => inputs * W(targets));
        var wrong = CompletenessError.Compute(model, inputTimesWeight, x, t, baseline);
        var expected = (model.Weight.index_select(0, t).sum(1) * 0.25).abs().data<double>().ToArray();
        Assert.All(expected.Zip(wrong.Absolute), p => Assert.Equal(p.First, p.Second, 12));
        var difference = (model.call(x) - model.call(baseline.expand(4, 1, 4, 4))).gather(1, t.view(-1, 1)).squeeze(1).abs().data<double>().ToArray();
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(expected[i] / difference[i], wrong.Relative[i], 9));
        Assert.Throws<ArgumentException>(() => CompletenessError.Compute(model, exact, x, t, zeros(2, 1, 4, 4)));
    }
}
