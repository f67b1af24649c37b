using MLNetExplain.Torch;
using MLNetExplain.Torch.Optim;

namespace MLNetExplain.Torch.Tests;

/// <summary>Optimiser updates against hand-computed values of PyTorch's update rules.</summary>
public class OptimizerTests
{
    private static Tensor Param(double value) => Tensor.From(new[] { value }).RequiresGrad_();

    private static void SetGrad(Tensor p, double g) => p.Grad = Tensor.From(new[] { g });

    [Fact]
    public void SgdWithMomentumAndWeightDecay()
    {
        using var scope = Torch.NewDisposeScope();
        var p = Param(1.0);
        using var sgd = new Sgd([p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01);
        SetGrad(p, 0.5);
        sgd.Step();
        // g = 0.5 + 0.01*1 = 0.51; b = 0.51; p = 1 - 0.051
        Assert.Equal(0.949, p.ToDouble(), 12);
        SetGrad(p, -0.2);
        sgd.Step();
        // g = -0.2 + 0.00949 = -0.19051; b = 0.9*0.51 - 0.19051 = 0.26849; p = 0.949 - 0.026849
        Assert.Equal(0.949 - 0.026849, p.ToDouble(), 12);
    }

    [Fact]
    public void SgdNesterov()
    {
        using var scope = Torch.NewDisposeScope();
        var p = Param(2.0);
        using var sgd = new Sgd([p], learningRate: 0.5, momentum: 0.5, nesterov: true);
        SetGrad(p, 1);
        sgd.Step(); // b = 1; g = 1 + 0.5*1 = 1.5; p = 2 - 0.75
        Assert.Equal(1.25, p.ToDouble(), 12);
        SetGrad(p, 1);
        sgd.Step(); // b = 0.5 + 1 = 1.5; g = 1 + 0.75 = 1.75; p = 1.25 - 0.875
        Assert.Equal(0.375, p.ToDouble(), 12);
        Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, momentum: 0, nesterov: true));
    }

    [Fact]
    public void AdamAndAdamW()
    {
        using var scope = Torch.NewDisposeScope();
        var p = Param(1.0);
        using var adam = new Adam([p], learningRate: 0.1, weightDecay: 0.1);
        SetGrad(p, 0.3);
        adam.Step();
        // g = 0.3 + 0.1 = 0.4; m = 0.04, v = 0.00016*... ; mhat = 0.4, vhat = 0.16 -> step = lr * 0.4/(0.4 + 1e-8)
        Assert.Equal(1 - 0.1 * 0.4 / (0.4 + 1e-8), p.ToDouble(), 10);

        var q = Param(1.0);
        using var adamw = Adam.AdamW([q], learningRate: 0.1, weightDecay: 0.1);
        SetGrad(q, 0.3);
        adamw.Step(); // q = 1 * (1 - 0.01) - 0.1 * 0.3 / (0.3 + 1e-8)
        Assert.Equal(0.99 - 0.1 * 0.3 / (0.3 + 1e-8), q.ToDouble(), 10);
        SetGrad(q, -0.1);
        adamw.Step();
        double m = 0.1 * 0.3 * 0.9 + 0.1 * -0.1, v = 0.999 * 0.001 * 0.09 + 0.001 * 0.01;
        var expected = (0.99 - 0.1 * 0.3 / (0.3 + 1e-8)) * 0.99
            - 0.1 / (1 - 0.81) * m / (Math.Sqrt(v) / Math.Sqrt(1 - 0.999 * 0.999) + 1e-8);
        Assert.Equal(expected, q.ToDouble(), 10);
    }

    [Fact]
    public void SchedulesFollowClosedForms()
    {
        using var scope = Torch.NewDisposeScope();
        var p = Param(0);
        using var sgd = new Sgd([p], 1.0);
        var step = LearningRateSchedule.StepDecay(sgd, stepSize: 2, gamma: 0.5);
        var rates = Enumerable.Range(0, 5).Select(_ => { step.Step(); return sgd.LearningRate; }).ToArray();
        Assert.Equal(new[] { 1, 0.5, 0.5, 0.25, 0.25 }, rates);
        var multi = LearningRateSchedule.MultiStep(sgd, [1, 3], gamma: 0.1);
        Assert.Equal(new[] { 1, 0.1, 0.1, 0.01 }, Enumerable.Range(0, 4).Select(e => multi.RateAt(e, 1)).ToArray(), new Close());
        var cosine = LearningRateSchedule.Cosine(sgd, tMax: 4, minRate: 0.1);
        Assert.Equal(1.0, cosine.RateAt(0, 1), 12);
        Assert.Equal(0.55, cosine.RateAt(2, 1), 12);
        Assert.Equal(0.1, cosine.RateAt(4, 1), 12);
        var warm = LearningRateSchedule.LinearWarmup(sgd, warmupSteps: 4, startFactor: 0.2);
        Assert.Equal(new[] { 0.2, 0.4, 0.6, 0.8, 1, 1 }, Enumerable.Range(0, 6).Select(e => warm.RateAt(e, 1)).ToArray(), new Close());
    }

    [Fact]
    public void ClipGradNormScalesJointNorm()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Param(0);
        var b = Param(0);
        SetGrad(a, 3);
        SetGrad(b, 4);
        var norm = GradientClipping.ClipGradNorm([a, b], maxNorm: 1);
        Assert.Equal(5, norm, 12);
        Assert.Equal(3 / (5 + 1e-6), a.Grad!.ToDouble(), 12);
        Assert.Equal(4 / (5 + 1e-6), b.Grad!.ToDouble(), 12);
    }

    private sealed class Close : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;

        public int GetHashCode(double obj) => 0;
    }
}
