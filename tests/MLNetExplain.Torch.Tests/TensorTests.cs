using MLNetExplain.Torch;

namespace MLNetExplain.Torch.Tests;

public class TensorTests
{
    [Fact]
    public void ArithmeticBroadcastsAndPromotes()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var row = Tensor.From(new float[] { 10, 20, 30 });
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, (a + row).ToArray<float>());
        Assert.Equal(new float[] { -1, 0, 1, 2, 3, 4 }, (a - 2).ToArray<float>());
        Assert.Equal(new float[] { 2, 1, 2 / 3f, 0.5f, 0.4f, 1 / 3f }, (2 / a).ToArray<float>());
        var asDouble = a.To(ScalarType.Float64) * 0.5;
        Assert.Equal(ScalarType.Float64, asDouble.Type);
        Assert.Equal(10.5, asDouble.Sum().ToDouble(), 12);
    }

    [Fact]
    public void ReductionsWithDimsAndKeepDim()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new float[] { 3, 1, 2, 9, 7, 8 }, 2, 3);
        Assert.Equal(new float[] { 6, 24 }, a.Sum(1).ToArray<float>());
        Assert.Equal(new long[] { 2, 1 }, a.Mean(1, keepDim: true).Shape);
        var (values, indices) = a.Max(1);
        Assert.Equal(new float[] { 3, 9 }, values.ToArray<float>());
        Assert.Equal(new long[] { 0, 0 }, indices.ToArray<long>());
        Assert.Equal(3L, a.Argmax().Item<long>());
        var (top, topIdx) = a.TopK(2);
        Assert.Equal(new float[] { 3, 2, 9, 8 }, top.ToArray<float>());
        Assert.Equal(new long[] { 0, 2, 0, 2 }, topIdx.ToArray<long>());
        var (sorted, _) = a.Sort(descending: true);
        Assert.Equal(new float[] { 3, 2, 1, 9, 8, 7 }, sorted.ToArray<float>());
        Assert.Equal(Math.Sqrt(9 + 1 + 4 + 81 + 49 + 64), a.Norm().ToDouble(), 4);
        // Bessel-corrected like torch.std.
        Assert.Equal(1.0, Tensor.From(new double[] { 1, 2, 3 }).Std().ToDouble(), 12);
        Assert.Equal(2.0 / 3, Tensor.From(new double[] { 1, 2, 3 }).Var(unbiased: false).ToDouble(), 12);
    }

    [Fact]
    public void ShapeAndIndexing()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.Arange(0, 24, 1, ScalarType.Float32).View(2, 3, 4);
        Assert.Equal(new long[] { 4, 2, 3 }, a.Permute(2, 0, 1).Shape);
        Assert.Equal(new long[] { 2, 12 }, a.Flatten(1).Shape);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, a.Unsqueeze(0).Shape);
        Assert.Equal(new long[] { 2, 3, 4 }, a.Unsqueeze(0).Squeeze().Shape);
        Assert.Equal(new float[] { 4, 5, 6, 7 }, a.Select(0, 0).Select(0, 1).ToArray<float>());
        Assert.Equal(new float[] { 1, 2 }, a.Select(0, 0).Select(0, 0).Slice(0, 1, 3).ToArray<float>());
        Assert.Equal(new float[] { 13, 17, 21 }, a.Narrow(0, 1, 1).Select(2, 1).ToArray<float>());
        Assert.Equal(new long[] { 4, 3, 4 }, Tensor.Cat([a, a], 0).Shape);
        Assert.Equal(new long[] { 2, 2, 3, 4 }, Tensor.Stack([a, a], 0).Shape);
        Assert.Equal(new long[] { 2, 3, 4 }, Tensor.Ones([1, 3, 1]).Expand(2, -1, 4).Shape);

        var m = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2);
        var idx = Tensor.From(new long[] { 1, 0 }, 2, 1);
        Assert.Equal(new float[] { 2, 3 }, m.Gather(1, idx).ToArray<float>());
        Assert.Equal(new float[] { 3, 4, 1, 2 }, m.IndexSelect(0, Tensor.From(new long[] { 1, 0 })).ToArray<float>());
        Assert.Equal(new float[] { 0, 9, 9, 0 }, Tensor.Zeros([2, 2]).Scatter(1, idx, 9).ToArray<float>());
        Assert.Equal(new float[] { -1, 2, -1, 4 }, m.MaskedFill(m.Lt(2).LogicalOr(m.Eq(3)), -1).ToArray<float>());
        Assert.Equal(new float[] { 1, 0, 3, 4 }, Tensor.Where(m.Gt(2).LogicalOr(m.Eq(1)), m, m.ZerosLike()).ToArray<float>());
        Assert.Equal(new float[] { 1.5f, 2, 3, 3.5f }, m.Clamp(1.5, 3.5).ToArray<float>());
        Assert.Equal(new long[] { 0, 1, 0, 0, 0, 1 }, Tensor.From(new long[] { 1, 2 }).OneHot(3).ToArray<long>());
    }

    [Fact]
    public void FactoriesFollowPyTorch()
    {
        using var scope = Torch.NewDisposeScope();
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f, 1 }, Tensor.Linspace(0, 1, 5).ToArray<float>());
        Assert.Equal(new long[] { 2, 4, 6 }, Tensor.Arange(2, 8, 2).ToArray<long>());
        Assert.Equal(new double[] { 7, 7 }, Tensor.Full([2], 7, ScalarType.Float64).ToArray<double>());
        Assert.True(Tensor.Zeros([3], ScalarType.Bool).ToArray<bool>().All(b => !b));
        Assert.Equal(new byte[] { 1, 1 }, Tensor.Ones([2], ScalarType.UInt8).ToArray<byte>());
        var r = Tensor.Randint(3, 7, [1000], new Generator(1));
        Assert.InRange(r.Min().Item<long>(), 3, 3);
        Assert.InRange(r.Max().Item<long>(), 6, 6);
        var u = Tensor.Rand([10000], new Generator(2));
        Assert.InRange(u.Mean().ToDouble(), 0.48, 0.52);
        var n = Tensor.Randn([10000], new Generator(3));
        Assert.InRange(n.Std().ToDouble(), 0.97, 1.03);
    }

    [Fact]
    public void GeneratorsAreReproducibleAndIndependent()
    {
        using var scope = Torch.NewDisposeScope();
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        var a = Tensor.Randn([5], g1).ToArray<float>();
        _ = Tensor.Rand([100]); // draws from the global stream must not disturb private ones
        var b = Tensor.Randn([5], g2).ToArray<float>();
        Assert.Equal(a, b);
        g1.Reseed(42);
        Assert.Equal(a, Tensor.Randn([5], g1).ToArray<float>());
        using var g3 = new Generator(43);
        Assert.NotEqual(a, Tensor.Randn([5], g3).ToArray<float>());
    }

    [Fact]
    public void CopyOutRejectsWrongElementType()
    {
        using var t = Tensor.Ones([3]);
        Assert.Throws<ArgumentException>(() => t.ToArray<double>());
        Assert.Throws<ArgumentException>(() => Tensor.From(new float[] { 1, 2, 3 }, 2, 2));
    }
}
