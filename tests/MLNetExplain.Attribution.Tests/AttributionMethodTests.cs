using MLNetExplain.Attribution.Methods;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;

namespace MLNetExplain.Attribution.Tests;

public class AttributionMethodTests
{
    // Captum's BasicModel: f(x) = 1 - relu(1 - x), one output per example.
    private static Tensor BasicModel(Tensor x) => 1 - Functional.Relu(1 - x);

    [Fact]
    public void SaliencyMatchesCaptumsBasicModelValues()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3, 0, -1, 7 }, 6, 1);
        var saliency = new Saliency(BasicModel).Attribute(x, Tensor.Zeros([6], ScalarType.Int64));
        Assert.Equal(new double[] { 0, 0, 0, 1, 1, 0 }, saliency.ToArray<double>());
    }

    [Fact]
    public void SaliencyIsAbsoluteByDefaultAndExplainsThePredictedClass()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        // logits = W x with W = [[2, -3], [-1, 1]]: the gradient of class k is row k.
        var w = Tensor.From(new double[] { 2, -3, -1, 1 }, 2, 2);
        Tensor Linear(Tensor input) => input.Matmul(w.Transpose(0, 1));
        var x = Tensor.From(new double[] { 1, 0, 0, 1 }, 2, 2); // predicted classes: 0 (logits 2, -1) and 1 (-3, 1)
        var saliency = new Saliency(Linear);
        Assert.Equal(new double[] { 2, 3, 1, 1 }, saliency.Attribute(x).ToArray<double>());
        Assert.Equal(new double[] { 2, -3, -1, 1 }, saliency.Attribute(x, absolute: false).ToArray<double>());
        Assert.Equal(new double[] { 1, 1, 1, 1 }, saliency.Attribute(x, Tensor.From(new long[] { 1, 1 })).ToArray<double>());
    }

    [Fact]
    public void SmoothGradWithTinyNoiseReproducesSaliency()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 0.5, 2, 3, 0.2, -1, 7 }, 6, 1);
        var target = Tensor.Zeros([6], ScalarType.Int64);
        using var g = new Generator(1);
        var smooth = new SmoothGrad(BasicModel, new SmoothGradOptions { Samples = 5, AbsoluteStdDev = 2e-8 }).Attribute(x, target, g);
        Assert.Equal(new Saliency(BasicModel).Attribute(x, target).ToArray<double>(), smooth.ToArray<double>());
    }

    [Fact]
    public void SmoothGradIsInvariantToChunkingAndReproducibleForASeed()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        // A smooth non-linear model so noise matters: logits = [sum(x^2), sum(sin x)].
        Tensor Model(Tensor input) => Tensor.Stack([input.Square().Flatten(1).Sum(1), input.Sin().Flatten(1).Sum(1)], 1);
        var x = Tensor.Randn([3, 2, 4, 4], new Generator(2), ScalarType.Float64);
        var target = Tensor.From(new long[] { 0, 1, 1 });
        double[] Run(int perForward)
        {
            using var g = new Generator(7);
            return new SmoothGrad(Model, new SmoothGradOptions { Samples = 12, SamplesPerForward = perForward, Absolute = false })
                .Attribute(x, target, g).ToArray<double>();
        }

        var one = Run(1);
        Assert.Equal(one, Run(5), new Close(1e-12));
        Assert.Equal(one, Run(12), new Close(1e-12));
        // An image cap below batch x samples splits chunks further; the result is the same.
        using (var g = new Generator(7))
        {
            var capped = new SmoothGrad(Model, new SmoothGradOptions { Samples = 12, SamplesPerForward = 12, MaxImagesPerForward = 7, Absolute = false })
                .Attribute(x, target, g).ToArray<double>();
            Assert.Equal(one, capped, new Close(1e-12));
        }
        // For sum(x^2) the raw gradient 2x averages to 2x (noise is zero-mean), so the estimate is near it.
        var first = x.Select(0, 0).ToArray<double>();
        var estimate = one.Take(first.Length).ToArray();
        Assert.True(first.Zip(estimate).Average(p => Math.Abs(2 * p.First - p.Second)) < 0.5);
    }

    [Fact]
    public void SmoothGradNoiseScalesWithEachExamplesRange()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        // For f = sum(x^2) with Absolute, E|2(x + e)| grows with sigma; example 2 has 10x the range of example 1.
        Tensor Model(Tensor input) => input.Square().Flatten(1).Sum(1).Unsqueeze(1);
        var x = Tensor.Cat([Tensor.Zeros([1, 1, 2, 2], ScalarType.Float64), Tensor.From(new double[] { 0, 0, 0, 0 }, 1, 1, 2, 2)]);
        x.Select(0, 0).View(-1).Select(0, 0).Fill_(1);
        x.Select(0, 1).View(-1).Select(0, 0).Fill_(10);
        using var g = new Generator(3);
        var maps = new SmoothGrad(Model, new SmoothGradOptions { Samples = 400, NoiseLevel = 0.1 }).Attribute(x, Tensor.Zeros([2], ScalarType.Int64), g);
        // At a zero pixel the mean of |2 e| is 2 sigma sqrt(2/pi), with sigma = 0.1 and 1.0; 400 samples put the
        // estimate within about 4% (one standard error), so 15% is a safe band that still separates the two.
        var zeroPixel = maps.Flatten(1).Select(1, 3).ToArray<double>();
        foreach (var (value, sigma) in zeroPixel.Zip([0.1, 1.0]))
        {
            var expected = 2 * sigma * Math.Sqrt(2 / Math.PI);
            Assert.InRange(value, 0.85 * expected, 1.15 * expected);
        }
    }

    [Fact]
    public void PostprocessingReducesChannelsAndNormalises()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var a = Tensor.From(new double[] { 1, -2, 3, 4, -5, 6, 7, -8 }, 1, 2, 2, 2);
        Assert.Equal(new double[] { -4, 4, 10, -4 }, AttributionPostprocessing.Apply(a, ChannelReduction.Sum, AttributionNormalization.None).ToArray<double>());
        Assert.Equal(new double[] { 5, 6, 7, 8 }, AttributionPostprocessing.Apply(a, ChannelReduction.MaxAbs, AttributionNormalization.None).ToArray<double>());
        Assert.Equal(new double[] { -0.4, 0.4, 1, -0.4 }, AttributionPostprocessing.Apply(a, ChannelReduction.Sum, AttributionNormalization.MaxAbs).ToArray<double>(), new Close(1e-12));
        Assert.Equal(1, AttributionPostprocessing.Apply(a, ChannelReduction.None, AttributionNormalization.SumAbs).Abs().Sum().ToDouble(), 12);
        Assert.Equal(new[] { 1, 5, 6 }, AttributionPostprocessing.OutputShape([3, 5, 6], ChannelReduction.Mean));
    }

    private sealed class Close(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;

        public int GetHashCode(double obj) => 0;
    }
}
