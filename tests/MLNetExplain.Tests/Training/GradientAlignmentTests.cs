using MLNetExplain.Models;
using MLNetExplain.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Training;

public class GradientAlignmentTests
{
    [Fact]
    public void LossMatchesHandComputation()
    {
        // logits_k(z) = sum_j W[k, j] z_j^2, so g = 2 W[y] * z and g_r = 2 W[y] * (z + delta) in closed form.
        double[,] w = { { 0.5, -1.0 }, { 2.0, 0.25 } };
        double[][] z = [[0.3, -0.7], [1.1, 0.4]];
        double[][] delta = [[0.05, -0.02], [-0.03, 0.01]];
        int[] y = [1, 0];
        using var scope = NewDisposeScope();
        var wt = tensor(new[] { w[0, 0], w[0, 1], w[1, 0], w[1, 1] }).view(2, 2);
        Tensor Logits(Tensor input) => input.square().flatten(1).mm(wt.t());
        var terms = GradientAlignment.Loss(Logits, tensor(z.SelectMany(r => r).ToArray()).view(2, 1, 1, 2), tensor(new long[] { 1, 0 }),
            tensor(delta.SelectMany(r => r).ToArray()).view(2, 1, 1, 2), lambdaL2: 0.7, lambdaCos: 0.3);

        double ce = 0, l2 = 0, cos = 0;
        for (int b = 0; b < 2; b++)
        {
            var logits = Enumerable.Range(0, 2).Select(k => w[k, 0] * z[b][0] * z[b][0] + w[k, 1] * z[b][1] * z[b][1]).ToArray();
            ce += Math.Log(logits.Sum(Math.Exp)) - logits[y[b]];
            var g = Enumerable.Range(0, 2).Select(j => 2 * w[y[b], j] * z[b][j]).ToArray();
            var gr = Enumerable.Range(0, 2).Select(j => 2 * w[y[b], j] * (z[b][j] + delta[b][j])).ToArray();
            l2 += g.Zip(gr, (p, q) => (p - q) * (p - q)).Sum();
            cos += g.Zip(gr, (p, q) => p * q).Sum() / Math.Sqrt(g.Sum(v => v * v) * gr.Sum(v => v * v));
        }

        ce /= 2;
        l2 /= 2;
        double cosd = (1 - cos / 2) / 2;
        Assert.Equal(ce, terms.CrossEntropy.item<double>(), 12);
        Assert.Equal(l2, terms.L2.item<double>(), 12);
        Assert.Equal(cosd, terms.CosineDistance.item<double>(), 12);
        Assert.Equal(ce + 0.7 * l2 + 0.3 * cosd, terms.Total.item<double>(), 12);
    }

    [Fact]
    public void RegulariserIsSecondOrderInTheWeights()
    {
        using var scope = NewDisposeScope();
        var wt = tensor(new[] { 0.5, -1.0, 2.0, 0.25 }).view(2, 2).requires_grad_();
        Tensor Logits(Tensor input) => input.square().flatten(1).mm(wt.t());
        var terms = GradientAlignment.Loss(Logits, tensor(new[] { 0.3, -0.7 }).view(1, 1, 1, 2), tensor(new long[] { 1 }),
            tensor(new[] { 0.05, -0.02 }).view(1, 1, 1, 2), lambdaL2: 1, lambdaCos: 0);
        terms.L2.backward();
        // g = 2 W[1] z is detached, g_r = 2 W[1] (z + d) carries the graph: l2 = sum_j (g_j - g_r,j)^2, so
        // d l2 / d W[1, j] = 2 (g_r,j - g_j) * 2 (z_j + d_j) = 8 W[1, j] d_j (z_j + d_j).
        double[] expected = [0, 0, 8 * 2.0 * 0.05 * 0.35, 8 * 0.25 * -0.02 * -0.72];
        var actual = wt.grad!.data<double>().ToArray();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], actual[i], 12);
        }
    }

    private static (SmallCnn Model, Tensor X, Tensor Y, Tensor Delta) Case(ScalarType dtype, int batch, int width)
    {
        var model = (SmallCnn)ClassifierSpec.SmallCnn(10, 1, width).WithSoftplus(3).Build(new Generator(21));
        model.to(dtype);
        model.train();
        var g = new Generator(22);
        var x = rand([batch, 1, 8, 8], ScalarType.Float64, generator: g).to_type(dtype);
        var y = randint(0, 10, [batch], ScalarType.Int64, generator: g);
        var delta = ((rand([batch, 1, 8, 8], ScalarType.Float64, generator: g) * 2 - 1) * 0.05).to_type(dtype);
        return (model, x, y, delta);
    }

    // With the source gradient attached, backward gives the loss's full derivative, which finite differences measure
    // (with it detached, by design, backward omits the path through g).
    private static double Total(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, Tensor delta) =>
        GradientAlignment.Loss(model.call, x, y, delta, lambdaL2: 0.7, lambdaCos: 0.3, detachSourceGradient: false).Total.item<double>();

    [Fact]
    public void ParameterGradientsMatchFloat64FiniteDifferences()
    {
        // The regulariser's gradient in the weights is a second derivative (double backward through convolution,
        // batch norm in training mode and Softplus); central differences in float64 pin it.
        using var scope = NewDisposeScope();
        var (model, x, y, delta) = Case(ScalarType.Float64, batch: 3, width: 3);
        using var _ = model;
        GradientAlignment.Loss(model.call, x, y, delta, 0.7, 0.3, detachSourceGradient: false).Total.backward();
        var parameters = model.named_parameters().ToList();
        const double h = 1e-5;
        int checkedCount = 0;
        foreach (var (name, p) in parameters)
        {
            var grad = p.grad!.flatten();
            var flat = p.detach().view(-1);
            foreach (long i in new long[] { 0, flat.shape[0] / 2, flat.shape[0] - 1 })
            {
                double original = flat[i].item<double>();
                using (no_grad())
                {
                    flat[i] = original + h;
                }

                double plus = Total(model, x, y, delta);
                using (no_grad())
                {
                    flat[i] = original - h;
                }

                double minus = Total(model, x, y, delta);
                using (no_grad())
                {
                    flat[i] = original;
                }

                double numeric = (plus - minus) / (2 * h);
                double analytic = grad[i].item<double>();
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 + 1e-5 * Math.Abs(numeric),
                    $"{name}[{i}]: backward {analytic}, finite difference {numeric}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount >= 30, $"{checkedCount} entries checked");
    }

    [Fact]
    public void Float32GradientsAtBatchFourMatchFloat64()
    {
        // Widths 3 and 6 are not multiples of 16: the convolution fault of libtorch 2.10 on AVX-512 CPUs would show here.
        using var scope = NewDisposeScope();
        var (m32, x32, y, d32) = Case(ScalarType.Float32, batch: 4, width: 3);
        var (m64, x64, _, d64) = Case(ScalarType.Float64, batch: 4, width: 3);
        using var a = m32;
        using var b = m64;
        GradientAlignment.Loss(m32.call, x32, y, d32, 0.7, 0.3).Total.backward();
        GradientAlignment.Loss(m64.call, x64, y, d64, 0.7, 0.3).Total.backward();
        var g32 = m32.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.to_type(ScalarType.Float64));
        foreach (var (name, p) in m64.named_parameters())
        {
            var expected = p.grad!;
            double error = (g32[name] - expected).abs().max().item<double>();
            double scale = expected.abs().max().item<double>();
            Assert.True(error <= 1e-3 * scale + 1e-7, $"{name}: float32 differs from float64 by {error} (scale {scale})");
        }
    }

    [Fact]
    public void BadShapesAreRefused()
    {
        using var scope = NewDisposeScope();
        var (model, x, y, delta) = Case(ScalarType.Float32, batch: 2, width: 2);
        using var _ = model;
        Assert.Contains("delta", Assert.Throws<ArgumentException>(() => GradientAlignment.Loss(model.call, x, y, delta.narrow(0, 0, 1), 1, 1)).Message);
        Assert.Contains("int64 labels [2]", Assert.Throws<ArgumentException>(() => GradientAlignment.Loss(model.call, x, y.to_type(ScalarType.Int32), delta, 1, 1)).Message);
    }
}
