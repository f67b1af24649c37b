using MLNetExplain.Attribution;
using static MLNetExplain.Tests.Attribution.Gradients.CaptumModels;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Gradients;

public class NoiseTunnelTests
{
    [Fact]
    public void TinyNoiseReproducesTheVanillaMethod()
    {
        // Captum's check: stdevs 2e-8 gives the inner method's own result.
        using var scope = NewDisposeScope();
        using var basic = new FunctionModel(x => 1 - nn.functional.relu(1 - x));
        var x = tensor(new double[] { 0.5, 2, 3, 0.2, -1, 7 }).view(6, 1);
        var targets = zeros(6, ScalarType.Int64);
        var saliency = new Saliency(basic);
        foreach (var type in new[] { NoiseTunnelType.SmoothGrad, NoiseTunnelType.SmoothGradSquared })
        {
            using var tunnel = new NoiseTunnel(saliency, new NoiseTunnelOptions { Type = type, AbsoluteStdDev = 2e-8 });
            Assert.Equal(Values(saliency.Attribute(x, targets)), Values(tunnel.Attribute(x, targets)));
        }

        using var smooth = Smooth();
        var images = randn([2, 1, 3, 3], ScalarType.Float64, generator: new Generator(3));
        var t = tensor(new long[] { 0, 1 });
        var ig = new IntegratedGradients(smooth, new IntegratedGradientsOptions { Steps = 10 });
        using var igTunnel = new NoiseTunnel(ig, new NoiseTunnelOptions { AbsoluteStdDev = 2e-8 });
        Assert.Equal(Values(ig.Attribute(images, t)), Values(igTunnel.Attribute(images, t)), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TunnelledSaliencyIsSmoothGradForTheSameSeed(bool absolute)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(51);
        using var model = new TinyConvClassifier();
        var x = rand([3, 1, 8, 8], generator: new Generator(2));
        var targets = tensor(new long[] { 1, 2, 3 });
        using var smoothGrad = new SmoothGrad(model, new SmoothGradOptions { Samples = 7, Absolute = absolute, SamplesPerForward = 3, Seed = 4 });
        using var tunnel = new NoiseTunnel(new Saliency(model, absolute), new NoiseTunnelOptions { Samples = 7, SamplesPerForward = 2, Seed = 4 });
        var expected = Values(smoothGrad.Attribute(x, targets));
        Assert.Equal(expected, Values(tunnel.Attribute(x, targets)), (a, b) => Math.Abs(a - b) <= 1e-7 * Math.Max(1, Math.Abs(a)));
        // The second call of each draws the same fresh noise as well.
        Assert.Equal(Values(smoothGrad.Attribute(x, targets)), Values(tunnel.Attribute(x, targets)), (a, b) => Math.Abs(a - b) <= 1e-7 * Math.Max(1, Math.Abs(a)));
    }

    [Fact]
    public void TypesCombineTheSamplesAsMeanMeanSquareAndVariance()
    {
        using var scope = NewDisposeScope();
        var x = randn([2, 1, 4, 4], ScalarType.Float64, generator: new Generator(5));
        var targets = zeros(2, ScalarType.Int64);
        double[] Run(nn.Module<Tensor, Tensor> model, NoiseTunnelType type, int samples = 6, double sigma = 0.5)
        {
            using var tunnel = new NoiseTunnel(new Saliency(model, absolute: false), new NoiseTunnelOptions { Type = type, Samples = samples, AbsoluteStdDev = sigma, Seed = 2 });
            return Values(tunnel.Attribute(x, targets));
        }

        // A linear model's gradient ignores the noise: mean w, mean square w^2, variance 0.
        var w = tensor(new double[] { 1, -2, 3, 0.5, -1, 2, 1, 1, -3, 2, 0.25, 1, 1, 2, -2, 1 });
        using var linear = new FunctionModel(input => input.flatten(1).mv(w).unsqueeze(1));
        var weights = Values(w);
        Assert.Equal([.. weights, .. weights], Run(linear, NoiseTunnelType.SmoothGrad), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([.. weights.Select(v => v * v), .. weights.Select(v => v * v)], Run(linear, NoiseTunnelType.SmoothGradSquared), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.All(Run(linear, NoiseTunnelType.VarGrad), v => Assert.True(Math.Abs(v) < 1e-12));

        // sum(x^2): a = 2 (x + e). The same seed gives the same samples, so VarGrad = SmoothGradSquared - SmoothGrad^2,
        // and over many samples the variance approaches 4 sigma^2 = 1.
        using var square = new FunctionModel(input => input.square().flatten(1).sum(1).unsqueeze(1));
        var mean = Run(square, NoiseTunnelType.SmoothGrad);
        var meanSquare = Run(square, NoiseTunnelType.SmoothGradSquared);
        var variance = Run(square, NoiseTunnelType.VarGrad);
        Assert.Equal(meanSquare.Zip(mean, (s, m) => s - m * m), variance, (a, b) => Math.Abs(a - b) < 1e-10);
        Assert.True(variance.All(v => v > 0));
        var many = Run(square, NoiseTunnelType.VarGrad, samples: 400);
        Assert.InRange(many.Average(), 0.9, 1.1);
    }

    [Fact]
    public void ResultDoesNotDependOnChunkingNorBatchAndRepeatsForASeed()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(52);
        using var model = new TinyConvClassifier();
        var x = rand([4, 1, 8, 8], generator: new Generator(3));
        var targets = tensor(new long[] { 0, 3, 1, 2 });
        var ig = new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 6 });
        double[] Run(int perForward, int maxImages = 256, long seed = 7)
        {
            using var tunnel = new NoiseTunnel(ig, new NoiseTunnelOptions { Samples = 5, SamplesPerForward = perForward, MaxImagesPerForward = maxImages, Type = NoiseTunnelType.VarGrad, Seed = seed });
            return Values(tunnel.Attribute(x, targets));
        }

        var whole = Run(5);
        Assert.True(Close(whole, Run(1)));
        Assert.True(Close(whole, Run(2, maxImages: 3))); // the cap splits the batch itself
        Assert.False(Close(whole, Run(5, seed: 8)));

        // Bit for bit where the model computes each row alone.
        using var smooth = Smooth();
        var smoothIg = new IntegratedGradients(smooth, new IntegratedGradientsOptions { Steps = 6 });
        double[] RunSmooth(int perForward, int maxImages)
        {
            using var tunnel = new NoiseTunnel(smoothIg, new NoiseTunnelOptions { Samples = 5, SamplesPerForward = perForward, MaxImagesPerForward = maxImages, Type = NoiseTunnelType.VarGrad, Seed = 7 });
            return Values(tunnel.Attribute(x, targets % 2));
        }

        Assert.Equal(RunSmooth(5, 256), RunSmooth(1, 256));
        Assert.Equal(RunSmooth(5, 256), RunSmooth(2, 3));

        var options = new NoiseTunnelOptions { Samples = 4, Seed = 9 };
        using var together = new NoiseTunnel(ig, options);
        var batched = together.Attribute(x, targets);
        for (int i = 0; i < 4; i++)
        {
            using var alone = new NoiseTunnel(ig, options);
            var single = alone.Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1));
            Assert.True((single - batched.narrow(0, i, 1)).abs().max().item<float>() <= 1e-6f, $"image {i}");
        }
    }

    [Fact]
    public void BadInputsAndOptionsAreRefused()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvClassifier();
        var saliency = new Saliency(model);
        Assert.Throws<ArgumentNullException>(() => new NoiseTunnel(null!));
        Assert.Throws<ArgumentException>(() => new NoiseTunnel(saliency, new NoiseTunnelOptions { Samples = 0 }));
        Assert.Throws<ArgumentException>(() => new NoiseTunnel(saliency, new NoiseTunnelOptions { AbsoluteStdDev = -1 }));
        Assert.Throws<ArgumentException>(() => new NoiseTunnel(saliency, new NoiseTunnelOptions { Type = (NoiseTunnelType)9 }));
        using var tunnel = new NoiseTunnel(saliency);
        var ex = Assert.Throws<ArgumentException>(() => tunnel.Attribute(rand(2, 1, 8, 8), tensor(new long[] { 0, 1, 2 })));
        Assert.Equal("targets", ex.ParamName);
    }
}
