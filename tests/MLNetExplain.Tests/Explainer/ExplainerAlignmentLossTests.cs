using MLNetExplain.Explainer;
using MLNetExplain.Tests.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Explainer;

public class ExplainerAlignmentLossTests
{
    [Fact]
    public void DistancesMatchTheirClosedForms()
    {
        using var scope = NewDisposeScope();
        // Two examples: differences (3, 4) and (0, 0) -> L2 norms 5 and 0, squares 25 and 0.
        var maps = tensor(new double[] { 3, 4, 1, 1 }).view(2, 1, 1, 2);
        var targets = tensor(new double[] { 0, 0, 1, 1 }).view(2, 1, 1, 2);
        Assert.Equal(2.5, ExplainerAlignmentLoss.DistanceBetween(maps, targets, AlignmentDistance.L2).item<double>(), 5);
        Assert.Equal(12.5, ExplainerAlignmentLoss.DistanceBetween(maps, targets, AlignmentDistance.SquaredL2).item<double>(), 12);
        Assert.Equal(6.25, ExplainerAlignmentLoss.DistanceBetween(maps, targets, AlignmentDistance.MeanSquared).item<double>(), 12);
        Assert.Throws<ArgumentException>(() => ExplainerAlignmentLoss.DistanceBetween(maps, targets.view(2, 2), AlignmentDistance.L2));
    }

    private static (ExplainedClassifier Model, Tensor X, Tensor Y, Tensor G) Setup(ScalarType dtype, TinyConvClassifier classifier, ExplainerHead head)
    {
        var model = new ExplainedClassifier(classifier, head);
        model.to(dtype);
        model.train(); // batch norm in training mode: its batch statistics are part of the gradient path
        var x = rand([3, 1, 8, 8], generator: new Generator(1)).to_type(dtype);
        var y = tensor(new long[] { 0, 2, 3 });
        var g = rand([3, 1, 8, 8], generator: new Generator(2)).to_type(dtype);
        return (model, x, y, g);
    }

    [Theory]
    [InlineData(AlignmentDistance.L2, false)]
    [InlineData(AlignmentDistance.SquaredL2, false)]
    [InlineData(AlignmentDistance.MeanSquared, true)]
    public void GradientsMatchFloat64FiniteDifferencesAtBatchThree(AlignmentDistance distance, bool postHoc)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(31);
        var classifier = new TinyConvClassifier();
        var spec = new ExplainerHeadSpec(10, 2, 2, 8, 8, Layers: 3);
        var head = spec.Build(new Generator(3));
        var (model, x, y, g) = Setup(ScalarType.Float64, classifier, head);
        double Loss() => ExplainerAlignmentLoss.Compute(model, x, y, g, 0.35, distance, postHoc).Total.item<double>();

        var parameters = model.named_parameters().ToArray();
        model.zero_grad();
        ExplainerAlignmentLoss.Compute(model, x, y, g, 0.35, distance, postHoc).Total.backward();
        int checkedCount = 0;
        var pick = new Random(5);
        foreach (var (name, p) in parameters)
        {
            bool inHead = name.StartsWith("explainer.", StringComparison.Ordinal);
            var grad = p.grad;
            if (postHoc && !inHead)
            {
                Assert.True(grad is null || grad.abs().max().item<double>() == 0, $"{name} received a gradient in post-hoc mode");
                continue;
            }

            var flat = p.detach().view(-1);
            for (int k = 0; k < 2; k++)
            {
                long i = pick.NextInt64(flat.shape[0]);
                double original = flat[i].item<double>();
                const double h = 1e-6;
                using (no_grad())
                {
                    flat[i] = tensor(original + h, ScalarType.Float64);
                }

                double plus = Loss();
                using (no_grad())
                {
                    flat[i] = tensor(original - h, ScalarType.Float64);
                }

                double minus = Loss();
                using (no_grad())
                {
                    flat[i] = tensor(original, ScalarType.Float64);
                }

                double numeric = (plus - minus) / (2 * h);
                double analytic = grad!.view(-1)[i].item<double>();
                Assert.True(Math.Abs(numeric - analytic) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"{name}[{i}]: finite difference {numeric:G6}, autograd {analytic:G6}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount >= 10);
    }

    [Fact]
    public void Float32GradientsMatchFloat64OnThreeAndTenChannelConvolutions()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(32);
        var classifier = new TinyConvClassifier();
        var classifier64 = classifier.CopyAs(ScalarType.Float64);
        var spec = new ExplainerHeadSpec(10, 2, 2, 8, 8, Layers: 3);
        var (model, x, y, g) = Setup(ScalarType.Float32, classifier, spec.Build(new Generator(3)));
        var (model64, x64, _, g64) = Setup(ScalarType.Float64, classifier64, spec.Build(new Generator(3)));
        ExplainerAlignmentLoss.Compute(model, x, y, g, 0.35, AlignmentDistance.L2).Total.backward();
        ExplainerAlignmentLoss.Compute(model64, x64, y, g64, 0.35, AlignmentDistance.L2).Total.backward();
        foreach (var ((name, p), (_, p64)) in model.named_parameters().Zip(model64.named_parameters()))
        {
            double scale = p64.grad!.abs().max().item<double>();
            double error = (p.grad!.to_type(ScalarType.Float64) - p64.grad!).abs().max().item<double>();
            Assert.True(error <= 1e-4 * scale + 1e-7, $"{name}: float32 gradient differs from float64 by {error:G3} (scale {scale:G3})");
        }
    }
}
