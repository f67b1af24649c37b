using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Engine;

/// <summary>Each case would abort the process inside TorchSharp 0.107 if it reached autograd.grad.</summary>
public class GradientsTests
{
    [Fact]
    public void InputThatDoesNotRequireGradThrows()
    {
        using var scope = NewDisposeScope();
        var w = randn(3).requires_grad_();
        var x = randn(3);
        var ex = Assert.Throws<ArgumentException>(() => Gradients.Of((w * x).sum(), x));
        Assert.Contains("does not require grad", ex.Message);
    }

    [Fact]
    public void UnusedInputThrows()
    {
        using var scope = NewDisposeScope();
        var a = randn(3).requires_grad_();
        var b = randn(3).requires_grad_();
        var ex = Assert.Throws<ArgumentException>(() => Gradients.Of(a.sum(), [a, b]));
        Assert.Contains("does not depend on input 1", ex.Message);
    }

    [Fact]
    public void SecondDerivativeRetainsTheGraph()
    {
        // TorchSharp's retain_graph defaults to false even with create_graph; a second pass would abort.
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }).requires_grad_();
        var y = x.pow(3).sum();
        var g = Gradients.Of(y, x, createGraph: true);          // 3x^2
        var h = Gradients.Of(g.sum(), x);                       // 6x
        Assert.Equal(new[] { 6.0, 12.0 }, h.data<double>().ToArray());
        var again = Gradients.Of(y, x);                         // the first graph is still there
        Assert.Equal(new[] { 3.0, 12.0 }, again.data<double>().ToArray());
    }

    [Fact]
    public void NonScalarOutputWithoutGradOutputThrows()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3).requires_grad_();
        Assert.Throws<ArgumentException>(() => Gradients.Of(x * 2, x));
        Assert.Throws<ArgumentException>(() => Gradients.Of(x * 2, x, ones(3)));
    }

    [Fact]
    public void OutputComputedWithoutGradThrows()
    {
        using var scope = NewDisposeScope();
        var x = randn(2).requires_grad_();
        Tensor y;
        using (no_grad())
        {
            y = (x * 2).sum();
        }

        Assert.Throws<ArgumentException>(() => Gradients.Of(y, x));
    }

    [Fact]
    public void GradOutputOfAnotherDtypeThrows()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3).requires_grad_();
        var ex = Assert.Throws<ArgumentException>(() => Gradients.Of(x * 2, x, ones(2, 3, ScalarType.Float64)));
        Assert.Contains("Float64", ex.Message);
    }
}
