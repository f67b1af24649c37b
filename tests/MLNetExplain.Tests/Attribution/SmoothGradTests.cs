using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution;

public class SmoothGradTests
{
    private static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    // A smooth non-linear model so that noise matters: logits = [sum(x^2), sum(sin x)].
    private static FunctionModel Smooth() => new(x => stack([x.square().flatten(1).sum(1), x.sin().flatten(1).sum(1)], 1));

    [Fact]
    public void TinyAbsoluteNoiseReproducesSaliency()
    {
        // Captum's check: NoiseTunnel with stdevs 2e-8 gives the vanilla result.
        using var scope = NewDisposeScope();
        using var model = new FunctionModel(x => 1 - nn.functional.relu(1 - x));
        var x = tensor(new double[] { 0.5, 2, 3, 0.2, -1, 7 }).view(6, 1);
        var targets = zeros(6, ScalarType.Int64);
        using var smooth = new SmoothGrad(model, new SmoothGradOptions { Samples = 5, AbsoluteStdDev = 2e-8 });
        Assert.Equal(Values(new Saliency(model).Attribute(x, targets)), Values(smooth.Attribute(x, targets)));
    }

    [Fact]
    public void ResultDoesNotDependOnChunkingAndRepeatsForASeed()
    {
        using var scope = NewDisposeScope();
        using var model = Smooth();
        var x = randn([3, 2, 4, 4], ScalarType.Float64, generator: new Generator(2));
        var targets = tensor(new long[] { 0, 1, 1 });
        double[] Run(int perForward, int maxImages = 256, long seed = 7)
        {
            using var method = new SmoothGrad(model, new SmoothGradOptions { Samples = 12, SamplesPerForward = perForward, MaxImagesPerForward = maxImages, Absolute = false, Seed = seed });
            return Values(method.Attribute(x, targets));
        }

        var one = Run(1);
        Assert.Equal(one, Run(5));
        Assert.Equal(one, Run(12));
        Assert.Equal(one, Run(12, maxImages: 7)); // a cap below examples x samples splits the passes further
        Assert.Equal(one, Run(12, maxImages: 2)); // ... and below the batch size splits the batch itself
        Assert.NotEqual(one, Run(12, seed: 8));

        // For sum(x^2) the signed gradient 2(x + e) averages to 2x (zero-mean noise): 12 samples of sigma 0.15 * range.
        var first = Values(x[0]);
        Assert.True(first.Zip(one.Take(first.Length)).Average(p => Math.Abs(2 * p.First - p.Second)) < 0.5);
    }

    [Fact]
    public void SuccessiveCallsDrawFreshNoiseAndAnExplicitGeneratorRepeats()
    {
        using var scope = NewDisposeScope();
        using var model = Smooth();
        var x = randn([2, 1, 3, 3], generator: new Generator(1));
        var targets = tensor(new long[] { 0, 0 });
        using var method = new SmoothGrad(model, new SmoothGradOptions { Samples = 3 });
        Assert.NotEqual(Values(method.Attribute(x, targets)), Values(method.Attribute(x, targets)));
        Assert.Equal(Values(method.Attribute(x, targets, new Generator(9))), Values(method.Attribute(x, targets, new Generator(9))));
    }

    [Fact]
    public void NoiseScalesWithEachExamplesRange()
    {
        using var scope = NewDisposeScope();
        // For f = sum(x^2) with absolute gradients, a zero pixel gets E|2e| = 2 sigma sqrt(2/pi); example 2 has 10x the range.
        using var model = new FunctionModel(x => x.square().flatten(1).sum(1).unsqueeze(1));
        var x = zeros([2, 1, 2, 2], ScalarType.Float64);
        x[0, 0, 0, 0] = tensor(1.0);
        x[1, 0, 0, 0] = tensor(10.0);
        using var method = new SmoothGrad(model, new SmoothGradOptions { Samples = 400, NoiseLevel = 0.1, Seed = 3 });
        var zeroPixel = Values(method.Attribute(x, zeros(2, ScalarType.Int64)).flatten(1)[.., 3]);
        // 400 samples put the estimate within about 4% (one standard error); 15% still separates the two.
        foreach (var (value, sigma) in zeroPixel.Zip([0.1, 1.0]))
        {
            var expected = 2 * sigma * Math.Sqrt(2 / Math.PI);
            Assert.InRange(value, 0.85 * expected, 1.15 * expected);
        }
    }

    [Fact]
    public void Float32OnAConvClassifierAtBatchThreeMatchesFloat64()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        using var model = new TinyConvClassifier();
        using var model64 = model.CopyAs(ScalarType.Float64);
        var x = rand([3, 1, 8, 8], generator: new Generator(6));
        var targets = tensor(new long[] { 1, 2, 3 });
        // Absolute sigma: the noise is drawn in each dtype from the same seed, so both see nearly the same inputs.
        var options = new SmoothGradOptions { Samples = 4, AbsoluteStdDev = 0.1, Absolute = false, Seed = 5 };
        using var single = new SmoothGrad(model, options);
        using var dbl = new SmoothGrad(model64, options);
        var a = single.Attribute(x, targets).to_type(ScalarType.Float64);
        var b = dbl.Attribute(x.to_type(ScalarType.Float64), targets);
        double scale = b.abs().max().item<double>();
        Assert.True((a - b).abs().max().item<double>() < 1e-3 * scale);
    }

    [Fact]
    public void OnlyTheResultStaysAlive()
    {
        using var model = new TinyConvClassifier();
        using var x = rand([6, 1, 8, 8]);
        using var targets = tensor(new long[] { 0, 1, 2, 3, 0, 1 });
        using var method = new SmoothGrad(model, new SmoothGradOptions { Samples = 5, SamplesPerForward = 2, MaxImagesPerForward = 4 });
        method.Attribute(x, targets).Dispose(); // warm-up: lazily created module state
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using var result = method.Attribute(x, targets);
        Assert.Equal(before + 1, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void InvalidOptionsAreRefused()
    {
        using var model = Smooth();
        Assert.Throws<ArgumentException>(() => new SmoothGrad(model, new SmoothGradOptions { Samples = 0 }));
        Assert.Throws<ArgumentException>(() => new SmoothGrad(model, new SmoothGradOptions { NoiseLevel = -1 }));
        Assert.Throws<ArgumentException>(() => new SmoothGrad(model, new SmoothGradOptions { AbsoluteStdDev = double.NaN }));
    }

    [Fact]
    public void AnImagesMapDoesNotDependOnTheBatchItIsIn()
    {
        // One draw per sample shared by the batch: a batch of two gives each image the map it gets alone.
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var model = nn.Sequential(("conv", nn.Conv2d(1, 3, 3, padding: 1)), ("tanh", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(3 * 36, 4)));
        var x = rand(2, 1, 6, 6);
        var t = tensor(new long[] { 1, 3 });
        var options = new SmoothGradOptions { Samples = 6, Seed = 9 };
        using var together = new SmoothGrad(model, options);
        var both = together.Attribute(x, t);
        for (int i = 0; i < 2; i++)
        {
            using var alone = new SmoothGrad(model, options);
            var single = alone.Attribute(x.narrow(0, i, 1), t.narrow(0, i, 1));
            Assert.True((single - both.narrow(0, i, 1)).abs().max().item<float>() <= 1e-6f, $"image {i}");
        }
    }
}
