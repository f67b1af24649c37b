using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Torch.Tests;

/// <summary>libtorch errors surface as managed exceptions with libtorch's message; the process stays usable.</summary>
public class ErrorTests
{
    public static TheoryData<string, string> Failures => new()
    {
        { "shapeMismatch", "must match the size" },
        { "matmulShapes", "cannot be multiplied" },
        { "badView", "invalid for input of size" },
        { "dimOutOfRange", "Dimension out of range" },
        { "convChannels", "expected input" },
        { "targetOutOfBounds", "out of bounds" },
        { "dtypeMismatch", "expected scalar type" },
        { "backwardTwice", "second time" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void LibtorchErrorsBecomeTorchExceptions(string kind, string fragment)
    {
        using var scope = Torch.NewDisposeScope();
        Action fail = kind switch
        {
            "shapeMismatch" => () => _ = Tensor.Ones([2, 3]) + Tensor.Ones([4, 3]),
            "matmulShapes" => () => _ = Tensor.Ones([2, 3]).Matmul(Tensor.Ones([2, 3])),
            "badView" => () => _ = Tensor.Ones([2, 3]).View(4, 2),
            "dimOutOfRange" => () => _ = Tensor.Ones([2, 3]).Sum(5),
            "convChannels" => () => _ = Functional.Conv2d(Tensor.Ones([1, 3, 8, 8]), Tensor.Ones([4, 2, 3, 3])),
            "targetOutOfBounds" => () => _ = Functional.CrossEntropy(Tensor.Ones([2, 3]), Tensor.From(new long[] { 0, 7 })),
            "dtypeMismatch" => () => _ = Functional.Linear(Tensor.Ones([2, 3]), Tensor.Ones([4, 3], ScalarType.Float64)),
            "backwardTwice" => () =>
            {
                var x = Tensor.Ones([2]).RequiresGrad_();
                var y = (x.Exp() * 2).Sum();
                y.Backward();
                y.Backward();
            },
            _ => throw new ArgumentException(kind),
        };
        var ex = Assert.Throws<TorchException>(fail);
        Assert.Contains(fragment, ex.Message, StringComparison.OrdinalIgnoreCase);

        // The process and the engine stay healthy afterwards.
        Assert.Equal(6f, (Tensor.Ones([2, 3])).Sum().Item<float>());
    }

    [Fact]
    public void UseAfterDisposeThrowsObjectDisposedException()
    {
        var t = Tensor.Ones([2]);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.Shape);
        Assert.Throws<ObjectDisposedException>(() => _ = t + 1);
        using var g = new Generator(1);
        g.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Tensor.Rand([2], g));
    }

    [Fact]
    public void DisposeScopesOwnNestAndMoveResults()
    {
        Tensor kept, inner;
        using (var outer = Torch.NewDisposeScope())
        {
            using (var scope = Torch.NewDisposeScope())
            {
                inner = Tensor.Ones([2]);
                kept = (inner * 2).MoveToOuterDisposeScope();
                Assert.Equal(1, scope.Count);
                Assert.Equal(1, outer.Count);
            }

            Assert.True(inner.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(new float[] { 2, 2 }, kept.ToArray<float>());
        }

        Assert.True(kept.IsDisposed);

        var outerScope = Torch.NewDisposeScope();
        var innerScope = Torch.NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => outerScope.Dispose());
        innerScope.Dispose();
        outerScope.Dispose();
        Assert.Null(DisposeScope.Current);
    }
}
