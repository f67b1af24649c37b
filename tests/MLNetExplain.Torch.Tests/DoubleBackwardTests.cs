using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Torch.Tests;

/// <summary>
/// Second-order gradients checked against float64 central finite differences: a gradient-norm penalty
/// P(theta) = ||d loss / d x||^2 through conv, batch norm (training mode), softplus, transposed conv and ReLU.
/// </summary>
public class DoubleBackwardTests
{
    private sealed class Net
    {
        public required Tensor ConvW, ConvB, BnW, BnB, DeconvW, DeconvB, HeadW;

        public Tensor[] All => [ConvW, ConvB, BnW, BnB, DeconvW, DeconvB, HeadW];
    }

    private static Tensor Penalty(Net n, Tensor x, Tensor target)
    {
        var h = Functional.Conv2d(x, n.ConvW, n.ConvB, padding: 1);
        h = Functional.BatchNorm(h, null, null, n.BnW, n.BnB, training: true);
        h = Functional.Softplus(h, beta: 3);
        h = Functional.ConvTranspose2d(h, n.DeconvW, n.DeconvB, stride: 2);
        h = Functional.Relu(h);
        var logits = Functional.Linear(h.Flatten(1), n.HeadW);
        var loss = Functional.CrossEntropy(logits, target);
        var g = Autograd.Grad(loss, x, createGraph: true);
        return (g * g).Sum();
    }

    [Fact]
    public void GradientPenaltyMatchesFiniteDifferences()
    {
        using var scope = Torch.NewDisposeScope();
        using var gen = new Generator(7);
        Tensor P(params long[] shape) => (Tensor.Randn(shape, gen, ScalarType.Float64) * 0.5).RequiresGrad_();
        var net = new Net
        {
            ConvW = P(3, 2, 3, 3), ConvB = P(3), BnW = (P(3) + 1).Detach().RequiresGrad_(), BnB = P(3),
            DeconvW = P(3, 2, 2, 2), DeconvB = P(2), HeadW = P(4, 2 * 8 * 8),
        };
        var x = Tensor.Randn([2, 2, 4, 4], gen, ScalarType.Float64).RequiresGrad_();
        var target = Tensor.From(new long[] { 1, 3 });

        var penalty = Penalty(net, x, target);
        var analytic = Autograd.Grad([penalty], net.All);

        const double h = 1e-6;
        var checkedCount = 0;
        using (Torch.NoGrad())
        {
            for (var p = 0; p < net.All.Length; p++)
            {
                var param = net.All[p];
                var flat = param.View(-1);
                var grad = analytic[p]!.ToArray<double>();
                // Three entries per parameter keep the test fast while touching every layer.
                foreach (var i in new long[] { 0, flat.Numel / 2, flat.Numel - 1 })
                {
                    var entry = flat.Select(0, i);
                    var original = entry.ToDouble();
                    entry.Fill_(original + h);
                    double plus;
                    using (Torch.EnableGrad())
                    {
                        plus = Penalty(net, x, target).ToDouble();
                    }

                    entry.Fill_(original - h);
                    double minus;
                    using (Torch.EnableGrad())
                    {
                        minus = Penalty(net, x, target).ToDouble();
                    }

                    entry.Fill_(original);
                    var numeric = (plus - minus) / (2 * h);
                    Assert.True(Math.Abs(numeric - grad[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                        $"parameter {p} entry {i}: finite difference {numeric}, double backward {grad[i]}");
                    checkedCount++;
                }
            }
        }

        Assert.Equal(21, checkedCount);
    }
}
