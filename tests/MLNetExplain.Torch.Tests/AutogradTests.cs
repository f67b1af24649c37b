using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Torch.Tests;

public class AutogradTests
{
    [Fact]
    public void BackwardAccumulatesClosedFormGradients()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3 }).RequiresGrad_();
        var y = (x * x * x).Sum(); // dy/dx = 3x^2
        y.Backward();
        Assert.Equal(new double[] { 3, 12, 27 }, x.Grad!.ToArray<double>());
        (x * 2).Sum().Backward(); // accumulates
        Assert.Equal(new double[] { 5, 14, 29 }, x.Grad!.ToArray<double>());
        x.Grad = null;
        Assert.Null(x.Grad);
    }

    [Fact]
    public void GradWithCreateGraphGivesSecondDerivatives()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 0.5, -1.5 }).RequiresGrad_();
        var y = (x.Sin() * x).Sum();
        var g = Autograd.Grad(y, x, createGraph: true); // sin x + x cos x
        var h = Autograd.Grad(g.Sum(), x);             // 2 cos x - x sin x
        var xs = new[] { 0.5, -1.5 };
        Assert.Equal(xs.Select(v => Math.Sin(v) + v * Math.Cos(v)), g.ToArray<double>().Select(v => v), new Tol(1e-12));
        Assert.Equal(xs.Select(v => 2 * Math.Cos(v) - v * Math.Sin(v)), h.ToArray<double>(), new Tol(1e-12));
    }

    [Fact]
    public void GradAllowUnusedAndErrors()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.Ones([2]).RequiresGrad_();
        var b = Tensor.Ones([2]).RequiresGrad_();
        var y = (a * 3).Sum();
        var grads = Autograd.Grad([y], [a, b], retainGraph: true, allowUnused: true);
        Assert.Equal(new float[] { 3, 3 }, grads[0]!.ToArray<float>());
        Assert.Null(grads[1]);
        var ex = Assert.Throws<TorchException>(() => Autograd.Grad([y], [a, b]));
        Assert.Contains("not have been used", ex.Message);
    }

    [Fact]
    public void NoGradStopsRecordingAndIsRestored()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.Ones([2]).RequiresGrad_();
        Assert.True(Torch.IsGradEnabled);
        using (Torch.NoGrad())
        {
            Assert.False(Torch.IsGradEnabled);
            Assert.False((x * 2).RequiresGrad);
            using (Torch.EnableGrad())
            {
                Assert.True((x * 2).RequiresGrad);
            }

            Assert.False(Torch.IsGradEnabled);
        }

        Assert.True(Torch.IsGradEnabled);
        using (Torch.InferenceMode())
        {
            Assert.False((x * 2).RequiresGrad);
        }
    }

    [Fact]
    public void GradModeIsPerThreadAndScopesRefuseForeignThreads()
    {
        using var noGrad = Torch.NoGrad();
        var otherThreadEnabled = false;
        var t = new Thread(() => otherThreadEnabled = Torch.IsGradEnabled);
        t.Start();
        t.Join();
        Assert.True(otherThreadEnabled);

        GradModeScope? foreign = null;
        var opened = new Thread(() => foreign = Torch.NoGrad());
        opened.Start();
        opened.Join();
        Assert.Throws<InvalidOperationException>(() => foreign!.Dispose());
    }

    [Fact]
    public void HookReplacesGradientAndIsReleasedWithTheGraph()
    {
        var before = GradientHook.LiveCount;
        using (var scope = Torch.NewDisposeScope())
        {
            var x = Tensor.From(new double[] { 1, -2, 3 }).RequiresGrad_();
            var y = x * 2;
            y.RegisterHook(g => g * 10);
            y.Sum().Backward();
            Assert.Equal(new double[] { 20, 20, 20 }, x.Grad!.ToArray<double>());
            Assert.Equal(before + 1, GradientHook.LiveCount);
        }

        GC.Collect();
        Assert.Equal(before, GradientHook.LiveCount);
    }

    [Fact]
    public void HookExceptionBecomesManagedErrorAndProcessStaysHealthy()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.Ones([2]).RequiresGrad_();
        var y = x * 3;
        y.RegisterHook(_ => throw new InvalidOperationException("boom in hook"));
        var ex = Assert.Throws<TorchException>(() => y.Sum().Backward());
        Assert.Contains("boom in hook", ex.Message);
        (x * 4).Sum().Backward();
        Assert.Equal(new float[] { 4, 4 }, x.Grad!.ToArray<float>());
    }

    [Fact]
    public void BackwardOverrideAppliesGuidedBackpropRuleAtOneCallSite()
    {
        using var scope = Torch.NewDisposeScope();
        var relu = new ReLU { BackwardOverride = (input, _, grad) => Functional.Relu(grad) * input.Gt(0).To(grad.Type) };
        var x = Tensor.From(new double[] { 1, -1, 2, 3 }).RequiresGrad_();
        var y = relu.Forward(x);
        Assert.Equal(new double[] { 1, 0, 2, 3 }, y.ToArray<double>());
        var upstream = Tensor.From(new double[] { -5, 7, 4, -1 });
        (y * upstream).Sum().Backward();
        // Plain ReLU would give [-5, 0, 4, -1]; guided backprop also drops negative upstream gradients.
        Assert.Equal(new double[] { 0, 0, 4, 0 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void BackwardOverrideIsDifferentiableUnderCreateGraph()
    {
        // Rule: grad_in = grad_out * input^2 (a made-up rule); d/dx of sum(rule) = 2 x * grad_out.
        using var scope = Torch.NewDisposeScope();
        var act = new Softplus { BackwardOverride = (input, _, grad) => grad * input * input };
        var x = Tensor.From(new double[] { 0.5, -1, 2 }).RequiresGrad_();
        var y = act.Forward(x).Sum();
        var g = Autograd.Grad(y, x, createGraph: true);
        Assert.Equal(new double[] { 0.25, 1, 4 }, g.ToArray<double>());
        var h = Autograd.Grad(g.Sum(), x);
        Assert.Equal(new double[] { 1, -2, 4 }, h.ToArray<double>());
    }

    private sealed class Tol(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;

        public int GetHashCode(double obj) => 0;
    }
}
