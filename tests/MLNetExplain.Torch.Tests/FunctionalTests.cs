using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Torch.Tests;

public class FunctionalTests
{
    private static double[] RandomValues(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 1, 2)]
    public void Conv2dMatchesNaiveLoops(int stride, int padding, int groups)
    {
        const int n = 2, cin = 4, cout = 6, h = 7, w = 6, k = 3;
        var x = RandomValues(n * cin * h * w, 1);
        var wt = RandomValues(cout * (cin / groups) * k * k, 2);
        var b = RandomValues(cout, 3);
        using var scope = Torch.NewDisposeScope();
        var y = Functional.Conv2d(Tensor.From(x, n, cin, h, w), Tensor.From(wt, cout, cin / groups, k, k),
            Tensor.From(b, cout), stride, padding, groups: groups);
        var oh = (h + 2 * padding - k) / stride + 1;
        var ow = (w + 2 * padding - k) / stride + 1;
        Assert.Equal(new long[] { n, cout, oh, ow }, y.Shape);
        var got = y.ToArray<double>();
        var cinPerGroup = cin / groups;
        var coutPerGroup = cout / groups;
        for (var bi = 0; bi < n; bi++)
        for (var co = 0; co < cout; co++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            var g = co / coutPerGroup;
            var sum = b[co];
            for (var ci = 0; ci < cinPerGroup; ci++)
            for (var u = 0; u < k; u++)
            for (var v = 0; v < k; v++)
            {
                var r = i * stride - padding + u;
                var c = j * stride - padding + v;
                if (r < 0 || r >= h || c < 0 || c >= w)
                {
                    continue;
                }

                sum += x[((bi * cin) + g * cinPerGroup + ci) * h * w + r * w + c] * wt[((co * cinPerGroup) + ci) * k * k + u * k + v];
            }

            Assert.Equal(sum, got[((bi * cout + co) * oh + i) * ow + j], 10);
        }
    }

    [Fact]
    public void LinearMatchesNaiveLoops()
    {
        const int n = 3, fin = 5, fout = 4;
        var x = RandomValues(n * fin, 4);
        var wt = RandomValues(fout * fin, 5);
        var b = RandomValues(fout, 6);
        using var scope = Torch.NewDisposeScope();
        var got = Functional.Linear(Tensor.From(x, n, fin), Tensor.From(wt, fout, fin), Tensor.From(b, fout)).ToArray<double>();
        for (var i = 0; i < n; i++)
        for (var o = 0; o < fout; o++)
        {
            var sum = b[o];
            for (var f = 0; f < fin; f++)
            {
                sum += x[i * fin + f] * wt[o * fin + f];
            }

            Assert.Equal(sum, got[i * fout + o], 12);
        }
    }

    [Fact]
    public void ConvTranspose2dIsTheAdjointOfConv2d()
    {
        // <conv(x), y> == <x, conv_transpose(y)> for the same weight: the defining property.
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(RandomValues(1 * 3 * 8 * 8, 7), 1, 3, 8, 8);
        var w = Tensor.From(RandomValues(5 * 3 * 3 * 3, 8), 5, 3, 3, 3);
        var y = Tensor.From(RandomValues(1 * 5 * 4 * 4, 9), 1, 5, 4, 4);
        var lhs = (Functional.Conv2d(x, w, stride: 2, padding: 1) * y).Sum().ToDouble();
        var rhs = (x * Functional.ConvTranspose2d(y, w, stride: 2, padding: 1, outputPadding: 1)).Sum().ToDouble();
        Assert.Equal(lhs, rhs, 10);
    }

    [Fact]
    public void BatchNormTrainingUpdatesRunningStatistics()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 10, 20, 30, 40 }, 2, 1, 2, 2);
        var mean = Tensor.Zeros([1], ScalarType.Float64);
        var var_ = Tensor.Ones([1], ScalarType.Float64);
        var y = Functional.BatchNorm(x, mean, var_, training: true, momentum: 0.1, eps: 0);
        var values = new double[] { 1, 2, 3, 4, 10, 20, 30, 40 };
        var mu = values.Average();
        var biased = values.Select(v => (v - mu) * (v - mu)).Average();
        var unbiased = biased * 8 / 7;
        Assert.Equal(0.1 * mu, mean.ToDouble(), 10);
        Assert.Equal(0.9 + 0.1 * unbiased, var_.ToDouble(), 10);
        Assert.Equal((1 - mu) / Math.Sqrt(biased), y.ToArray<double>()[0], 10);
        // Eval mode uses the running statistics.
        var e = Functional.BatchNorm(x, mean, var_, training: false, eps: 0);
        Assert.Equal((1 - 0.1 * mu) / Math.Sqrt(0.9 + 0.1 * unbiased), e.ToArray<double>()[0], 10);
    }

    [Fact]
    public void ActivationsAndLosses()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { -2, 0, 3 });
        Assert.Equal(new double[] { 0, 0, 3 }, Functional.Relu(x).ToArray<double>());
        Assert.Equal(Math.Log(1 + Math.Exp(-6)) / 3, Functional.Softplus(x, beta: 3).ToArray<double>()[0], 12);
        Assert.Equal(1 / (1 + Math.Exp(2)), Functional.Sigmoid(x).ToArray<double>()[0], 12);
        var logits = Tensor.From(new double[] { 1, 2, 3, 1, 1, 1 }, 2, 3);
        var target = Tensor.From(new long[] { 2, 0 });
        var lse0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3));
        var expected = ((lse0 - 3) + Math.Log(3)) / 2;
        Assert.Equal(expected, Functional.CrossEntropy(logits, target).ToDouble(), 12);
        Assert.Equal(expected, Functional.NllLoss(Functional.LogSoftmax(logits, 1), target).ToDouble(), 12);
        Assert.Equal(1.0, Functional.Softmax(logits, 1).Sum(1).ToArray<double>()[0], 12);
        Assert.Equal(((1 - 0) * (1 - 0) + 4) / 2.0,
            Functional.MseLoss(Tensor.From(new double[] { 1, 2 }), Tensor.From(new double[] { 0, 0 })).ToDouble(), 12);
    }

    [Fact]
    public void PoolingInterpolationAndPadding()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.Arange(0, 16, 1, ScalarType.Float32).View(1, 1, 4, 4);
        Assert.Equal(new float[] { 5, 7, 13, 15 }, Functional.MaxPool2d(x, 2).ToArray<float>());
        Assert.Equal(new float[] { 2.5f, 4.5f, 10.5f, 12.5f }, Functional.AvgPool2d(x, 2).ToArray<float>());
        Assert.Equal(new float[] { 7.5f }, Functional.AdaptiveAvgPool2d(x, 1, 1).ToArray<float>());
        var small = Tensor.From(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        Assert.Equal(new float[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 },
            Functional.Interpolate(small, 4, 4).ToArray<float>());
        // align_corners=false bilinear (PyTorch default): the first output pixel samples the input corner.
        var bilinear = Functional.Interpolate(small, 4, 4, InterpolationMode.Bilinear).ToArray<float>();
        Assert.Equal(1f, bilinear[0], 6);
        Assert.Equal(1.25f, bilinear[1], 6);
        Assert.Equal(new long[] { 1, 1, 4, 6 }, Functional.Pad(small, [2, 2, 1, 1]).Shape);
        Assert.Equal(new float[] { 2, 1, 2, 1 }, Functional.Pad(small, [1, 1, 0, 0], PaddingMode.Reflect).Select(2, 0).ToArray<float>());
    }

    [Fact]
    public void Dct2IsOrthonormalAndMatchesDefinition()
    {
        using var scope = Torch.NewDisposeScope();
        var values = RandomValues(2 * 5 * 6, 11);
        var x = Tensor.From(values, 2, 5, 6);
        var c = Functional.Dct2(x);
        // Parseval: an orthonormal transform keeps the energy; the inverse recovers the input.
        Assert.Equal((x * x).Sum().ToDouble(), (c * c).Sum().ToDouble(), 10);
        Assert.Equal(0, (Functional.Idct2(c) - x).Abs().Max().ToDouble(), 10);
        // Coefficient (0,0) is the scaled mean: sum / sqrt(H W).
        var first = values.Take(30).Sum() / Math.Sqrt(30);
        Assert.Equal(first, c.ToArray<double>()[0], 10);
        // The FFT pieces round-trip.
        var back = Functional.Ifft2(Functional.Fft2(x));
        Assert.Equal(0, (back.Real() - x).Abs().Max().ToDouble(), 10);
    }
}
