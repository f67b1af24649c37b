using MLNetExplain.Attribution;
using static TorchSharp.torch;
using AttExploreMethod = MLNetExplain.Attribution.AttExplore;

namespace MLNetExplain.Tests.Attribution.AttExplore;

public class AttExploreTests
{
    /// <summary>Settings under which a spectrum sample is the path point itself: no noise, no mask, no smoothing, no diversity.</summary>
    private static readonly AttExploreOptions Plain = new()
    {
        NoiseStdDev = 0, SpectrumTuning = 0, SmoothingKernelSize = 1, DiversityProbability = 0, Samples = 2,
    };

    private static double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().flatten().data<double>().ToArray();

    private static Tensor Images(int n, int size, ScalarType dtype, int seed)
    {
        using var generator = new Generator((ulong)seed);
        return rand([n, 3, size, size], generator: generator).to(dtype);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double relative)
    {
        double scale = expected.abs().max().item<double>();
        Assert.True(scale > 0);
        double difference = (expected - actual).abs().max().item<double>();
        Assert.True(difference <= relative * scale, $"max difference {difference} against scale {scale}");
    }

    [Fact]
    public void ExploredEndpointsStayInTheEpsilonBallAndTheBox()
    {
        using var scope = NewDisposeScope();
        using var model = new PooledConvClassifier();
        var x = Images(3, 16, ScalarType.Float32, 1);
        x[0, 0, 0] = zeros(16);
        x[1, 1, 2] = ones(16);
        using var method = new AttExploreMethod(model, new AttExploreOptions { Epsilon = 0.1, Steps = 4, Samples = 2, Seed = 2 });
        var (attributions, endpoints) = method.AttributeWithEndpoints(x, tensor(new long[] { 0, 1, 2 }));
        var displacement = (endpoints - x).abs();
        Assert.True(displacement.max().item<float>() <= 0.1f + 1e-6f);
        Assert.True(displacement.max().item<float>() > 0.05f);
        Assert.True(endpoints.min().item<float>() >= 0 && endpoints.max().item<float>() <= 1);
        Assert.Equal(x.shape, attributions.shape);
        Assert.True(attributions.abs().max().item<float>() > 0);
        Assert.True(attributions.isfinite().all().item<bool>());
        // Each term is a step along sign(g_t) times g_t, and clipping only shortens steps: non-negative inside the box.
        Assert.True(attributions.min().item<float>() >= 0);
    }

    [Fact]
    public void SeededRunsRepeatAndSeedsOrCallsDiffer()
    {
        using var scope = NewDisposeScope();
        using var model = new PooledConvClassifier();
        var x = Images(2, 16, ScalarType.Float32, 3);
        var targets = tensor(new long[] { 1, 2 });
        var options = new AttExploreOptions { Steps = 3, Samples = 3, Seed = 7 };
        using var first = new AttExploreMethod(model, options);
        using var again = new AttExploreMethod(model, options);
        using var other = new AttExploreMethod(model, options with { Seed = 8 });
        var a = first.Attribute(x, targets);
        Assert.Equal(Values(a), Values(again.Attribute(x, targets)));
        Assert.NotEqual(Values(a), Values(other.Attribute(x, targets)));
        Assert.NotEqual(Values(a), Values(first.Attribute(x, targets)));
    }

    [Fact]
    public void ResultsDependNeitherOnTheBatchNorOnTheChunking()
    {
        using var scope = NewDisposeScope();
        using var model = new PooledConvClassifier(ScalarType.Float64);
        var x = Images(4, 16, ScalarType.Float64, 4);
        var targets = tensor(new long[] { 0, 1, 2, 1 });
        var options = new AttExploreOptions { Steps = 3, Samples = 4, Seed = 5 };
        Tensor Run(AttExploreOptions o, Tensor images, Tensor t)
        {
            using var method = new AttExploreMethod(model, o);
            return method.Attribute(images, t);
        }

        var batch = Run(options, x, targets);
        for (int i = 0; i < 4; i++)
        {
            AssertClose(batch[i], Run(options, x[i].unsqueeze(0), targets[i].unsqueeze(0))[0], 1e-5);
        }

        // 3 rows per forward splits a sample's rows over two passes; 8 evaluates two samples per pass.
        AssertClose(batch, Run(options with { MaxImagesPerForward = 3 }, x, targets), 1e-5);
        AssertClose(batch, Run(options with { MaxImagesPerForward = 8 }, x, targets), 1e-5);

        // Input diversity and the spectrum samples matter.
        Assert.True((batch - Run(options with { DiversityProbability = 0 }, x, targets)).abs().max().item<double>() > 1e-3);
        Assert.True((batch - Run(options with { SpectrumTuning = 0 }, x, targets)).abs().max().item<double>() > 1e-3);
    }

    [Fact]
    public void ALinearLogitGetsItsWeightsMagnitudeTimesTheDisplacementAndTheReferenceDescends()
    {
        using var scope = NewDisposeScope();
        // Two classes, logits [w . x, 0]: the loss gradient is -(1 - p0) w for target 0 and p0 w for target 1, so every
        // normalised step gradient is -/+ w / mean|w| and with momentum 1 g_t = -/+ (t + 1) w / mean|w|.
        var w = tensor(Enumerable.Range(0, 16).Select(i => (i % 3 == 0 ? 1 : -1) * (0.5 + 0.1 * i)).ToArray(), [1, 1, 4, 4]);
        using var model = new FunctionModel(x => stack([(x * w).sum([1, 2, 3]), zeros(x.shape[0], ScalarType.Float64)], 1));
        var x = full([2, 1, 4, 4], 0.5, ScalarType.Float64);
        x[.., 0, 0, 0] = zeros(2, ScalarType.Float64); // w > 0 there: the clean path for target 0 pushes it below the box.
        var targets = tensor(new long[] { 0, 1 });
        var options = Plain with { Epsilon = 0.2, Steps = 4 };
        double alpha = 0.05, meanW = w.abs().mean().item<double>();
        var fullMap = w.abs() / meanW * (alpha * (1 + 2 + 3 + 4));
        var signW = w.sign();

        using var clean = new AttExploreMethod(model, options);
        var (a, end) = clean.AttributeWithEndpoints(x, targets);
        // Target 0: the path ascends the loss, x - eps sign(w), except the pixel stuck at 0 (no displacement, no attribution).
        var expected0 = fullMap[0].clone();
        expected0[0, 0, 0] = tensor(0.0, ScalarType.Float64);
        var end0 = x[0] - 0.2 * signW[0];
        end0[0, 0, 0] = tensor(0.0, ScalarType.Float64);
        AssertClose(expected0, a[0], 1e-10);
        AssertClose(end0, end[0], 1e-10);
        // Target 1: away from class 1 is towards class 0, x + eps sign(w); nothing clips.
        AssertClose(fullMap[0], a[1], 1e-10);
        AssertClose(x[1] + 0.2 * signW[0], end[1], 1e-10);

        // The reference descends the loss (towards the target) and negates the sum: the same map where nothing clips.
        using var reference = new AttExploreMethod(model, options with { ReferenceCompatible = true });
        var (r, referenceEnd) = reference.AttributeWithEndpoints(x, targets);
        AssertClose(fullMap[0], r[0], 1e-10);
        AssertClose(x[0] + 0.2 * signW[0], referenceEnd[0], 1e-10);
        var end1 = x[1] - 0.2 * signW[0];
        end1[0, 0, 0] = tensor(0.0, ScalarType.Float64);
        AssertClose(end1, referenceEnd[1], 1e-10);
        Assert.Equal(0, r[1, 0, 0, 0].item<double>());
    }

    [Fact]
    public void ReferenceCompatibilityTakesTheCrossEntropyOfTheTwiceSoftmaxedLogits()
    {
        using var scope = NewDisposeScope();
        // One step: the map is alpha |G| / mean|G| with G the loss gradient at x, in both conventions.
        var random = new Random(3);
        var weights = Enumerable.Range(0, 3 * 16).Select(_ => random.NextDouble() - 0.5).ToArray();
        var image = Enumerable.Range(0, 16).Select(_ => 0.2 + 0.6 * random.NextDouble()).ToArray();
        var wt = tensor(weights, [3, 16]);
        using var model = new FunctionModel(x => x.flatten(1).mm(wt.t()));
        var x = tensor(image, [1, 1, 4, 4]);
        var options = Plain with { Epsilon = 0.05, Steps = 1, Samples = 1 };

        double[] Expected(bool referenceCompatible)
        {
            var z = Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, 16).Sum(i => weights[k * 16 + i] * image[i])).ToArray();
            var p = Softmax(z);
            double[] dz;
            if (referenceCompatible)
            {
                var q = Softmax(p);
                var r = Softmax(q);
                r[2] -= 1;
                dz = SoftmaxJacobianTimes(p, SoftmaxJacobianTimes(q, r));
            }
            else
            {
                dz = [p[0], p[1], p[2] - 1];
            }

            var g = Enumerable.Range(0, 16).Select(i => Enumerable.Range(0, 3).Sum(k => weights[k * 16 + i] * dz[k])).ToArray();
            double mean = g.Average(Math.Abs);
            return [.. g.Select(v => 0.05 * Math.Abs(v) / mean)];
        }

        using var clean = new AttExploreMethod(model, options);
        using var reference = new AttExploreMethod(model, options with { ReferenceCompatible = true });
        var cleanMap = Values(clean.Attribute(x, tensor(new long[] { 2 })));
        var referenceMap = Values(reference.Attribute(x, tensor(new long[] { 2 })));
        Assert.Equal(Expected(false), cleanMap, (a, b) => Math.Abs(a - b) < 1e-10);
        Assert.Equal(Expected(true), referenceMap, (a, b) => Math.Abs(a - b) < 1e-10);
        double gap = cleanMap.Zip(referenceMap).Max(v => Math.Abs(v.First - v.Second));
        Assert.True(gap > 1e-3, $"gap {gap}");
    }

    private static double[] Softmax(double[] z)
    {
        double max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    /// <summary>(diag(s) - s s^T) v, the softmax Jacobian (symmetric) at output s applied to v.</summary>
    private static double[] SoftmaxJacobianTimes(double[] s, double[] v)
    {
        double dot = s.Zip(v).Sum(p => p.First * p.Second);
        return [.. s.Select((si, i) => si * (v[i] - dot))];
    }

    [Fact]
    public void OnlyTheResultStaysAlive()
    {
        using var model = new PooledConvClassifier();
        using var x = Images(3, 16, ScalarType.Float32, 6);
        using var targets = tensor(new long[] { 0, 1, 2 });
        using var method = new AttExploreMethod(model, new AttExploreOptions { Steps = 2, Samples = 3, MaxImagesPerForward = 4 });
        foreach (var run in new Func<Tensor>[] { () => method.Attribute(x, targets), () => Dct.Inverse2d(x) })
        {
            run().Dispose(); // lazily created module state
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using (run())
            {
                Assert.Equal(before + 1, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }

            Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
    }

    [Fact]
    public void BadOptionsAndInputsThrowNamingTheProblem()
    {
        using var scope = NewDisposeScope();
        using var model = new PooledConvClassifier();
        var bad = new (AttExploreOptions Options, string Name)[]
        {
            (new() { Steps = 0 }, "Steps"),
            (new() { Samples = 0 }, "Samples"),
            (new() { MaxImagesPerForward = 0 }, "MaxImagesPerForward"),
            (new() { Epsilon = -0.1 }, "Epsilon"),
            (new() { Epsilon = double.NaN }, "Epsilon"),
            (new() { SpectrumTuning = 1.5 }, "SpectrumTuning"),
            (new() { NoiseStdDev = -1 }, "NoiseStdDev"),
            (new() { Momentum = -1 }, "Momentum"),
            (new() { SmoothingKernelSize = 4 }, "SmoothingKernelSize"),
            (new() { DiversityProbability = 1.5 }, "DiversityProbability"),
            (new() { DiversityResizeRate = 0.9 }, "DiversityResizeRate"),
            (new() { MinValue = 1 }, "MinValue"),
        };
        foreach (var (options, name) in bad)
        {
            var ex = Assert.Throws<ArgumentException>(() => new AttExploreMethod(model, options));
            Assert.Contains(name, ex.Message);
        }

        using var method = new AttExploreMethod(model, new AttExploreOptions { Steps = 1, Samples = 1 });
        var flat = Assert.Throws<ArgumentException>(() => method.Attribute(ones(2, 3, 16), tensor(new long[] { 0, 1 })));
        Assert.Contains("[N, C, H, W]", flat.Message);
    }
}
