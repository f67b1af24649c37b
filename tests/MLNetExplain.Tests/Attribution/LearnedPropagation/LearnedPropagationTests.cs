using MLNetExplain.Attribution;
using MLNetExplain.Models;
using MLNetExplain.Tests.Attribution.Backprop;
using static TorchSharp.torch;

// Not "...LearnedPropagation": a namespace of that name would hide the method's type in MLNetExplain.Tests.Attribution.
namespace MLNetExplain.Tests.Attribution.LearnedPropagationRules;

public sealed class LearnedPropagationTests
{
    private static readonly LearnedPropagationOptions Few = new() { Steps = 6 };

    private static (TinyConvClassifier Model, Tensor Images, Tensor Targets) Setup(ScalarType dtype = ScalarType.Float32)
    {
        manual_seed(11);
        var model = new TinyConvClassifier();
        var images = randn([3, 1, 8, 8], generator: new Generator(5));
        var targets = tensor(new long[] { 0, 2, 1 });
        if (dtype == ScalarType.Float32)
        {
            return (model, images, targets);
        }

        return (model.CopyAs(dtype), images.to_type(dtype), targets);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double relative, string what)
    {
        double scale = expected.abs().max().to_type(ScalarType.Float64).item<double>();
        double error = (expected - actual).abs().max().to_type(ScalarType.Float64).item<double>();
        Assert.True(scale > 1e-6, $"{what}: the expected values vanish");
        Assert.True(error <= relative * scale, $"{what}: max error {error} exceeds {relative} x {scale}");
    }

    [Fact]
    public void TheRuleAtItsIdentityInitialisationIsThePlainGradient()
    {
        using var scope = NewDisposeScope();
        var (model, images, targets) = Setup();
        model.eval();
        var method = new LearnedPropagation(model, Few);
        var plugin = method.CreatePlugin(images);
        Assert.Equal(3, plugin.Parameters.Count);
        var expected = Saliency.Gradient(model, images, targets, absolute: false);
        AssertClose(expected, plugin.Gradient(model, images, targets, createGraph: false, "test"), 1e-6, "identity rule");

        // The parameters do act: moved off zero, the rule changes the gradient.
        using (no_grad())
        {
            foreach (var p in plugin.Parameters)
            {
                p.fill_(0.5);
            }
        }

        double change = (plugin.Gradient(model, images, targets, createGraph: false, "test") - expected).abs().max().item<float>();
        Assert.True(change > 1e-3, $"the plugin's parameters do not change the gradient ({change})");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheRuleMatchesItsClosedFormOnAThreeLayerNet(bool subtractReference)
    {
        // out = C relu(z2), z2 = B relu(z1) + b, z1 = A x + a: with the plugin, the input-gradient of logit c is
        // A^T [f1 * B^T [f2 * C^T e_c]], f = relu'(z) + tanh(w * (z - z_ref)), z_ref the value at x = 0.
        using var scope = NewDisposeScope();
        var model = new ThreeLayerReLUNet(seed: 7);
        var (a, aBias, b, bBias, c) = model.Weights;
        var generator = new Generator(4);
        var x = randn([4, 5], ScalarType.Float64, generator: generator);
        var targets = tensor(new long[] { 0, 2, 1, 2 });
        var method = new LearnedPropagation(model, Few with { SubtractReference = subtractReference });
        var plugin = method.CreatePlugin(x);
        var w1 = plugin.Parameters.Single(p => p.shape[1] == 7);
        var w2 = plugin.Parameters.Single(p => p.shape[1] == 6);
        using (no_grad())
        {
            w1.copy_(randn(w1.shape, ScalarType.Float64, generator: generator));
            w2.copy_(randn(w2.shape, ScalarType.Float64, generator: generator));
        }

        var z1 = x.matmul(a.t()) + aBias;
        var z2 = nn.functional.relu(z1).matmul(b.t()) + bBias;
        var z1Reference = subtractReference ? aBias.expand_as(z1) : zeros_like(z1);
        var z2Reference = subtractReference ? (nn.functional.relu(aBias).matmul(b.t()) + bBias).expand_as(z2) : zeros_like(z2);
        var f1 = z1.gt(0).to_type(ScalarType.Float64) + tanh(w1.detach() * (z1 - z1Reference));
        var f2 = z2.gt(0).to_type(ScalarType.Float64) + tanh(w2.detach() * (z2 - z2Reference));
        var expected = (f1 * ((f2 * c.index_select(0, targets)).matmul(b))).matmul(a);
        AssertClose(expected, plugin.Gradient(model, x, targets, createGraph: false, "test"), 1e-12, "closed form");
    }

    [Fact]
    public void WorksOnTheLibrarysResNet()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var model = new ResNet(numClasses: 4, inputChannels: 1, baseWidth: 4, blocksPerStage: [1, 1]);
        model.eval();
        var images = randn([2, 1, 8, 8], generator: new Generator(9));
        var targets = tensor(new long[] { 3, 1 });
        var method = new LearnedPropagation(model, new LearnedPropagationOptions { Steps = 3 });
        var plugin = method.CreatePlugin(images);
        Assert.True(plugin.Parameters.Count >= 5, $"{plugin.Parameters.Count} ReLU modules hooked");
        AssertClose(Saliency.Gradient(model, images, targets, absolute: false),
            plugin.Gradient(model, images, targets, createGraph: false, "test"), 1e-5, "ResNet identity rule");
        using var result = method.AttributeWithLosses(images, targets);
        Assert.True(result.Attributions.isfinite().all().item<bool>());
        Assert.True(result.Losses[3].sum().item<float>() < result.Losses[0].sum().item<float>(), "the loss did not fall");
    }

    [Fact]
    public void OptimisationLowersEveryImagesLoss()
    {
        using var scope = NewDisposeScope();
        var (model, images, targets) = Setup();
        using var result = new LearnedPropagation(model, new LearnedPropagationOptions { Steps = 10 }).AttributeWithLosses(images, targets);
        Assert.Equal(new long[] { 11, 3 }, result.Losses.shape);
        Assert.Equal(images.shape, result.Attributions.shape);
        var first = result.Losses[0].data<float>().ToArray();
        var last = result.Losses[10].data<float>().ToArray();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(last[i] < first[i] - 1e-3, $"image {i}: loss {first[i]} -> {last[i]}");
        }

        // The map at the identity rule is Input x Gradient; the learned one differs from it.
        using var plain = new InputXGradient(model).Attribute(images, targets);
        Assert.True((result.Attributions - plain).abs().max().item<float>() > 1e-4, "the learned map equals Input x Gradient");
    }

    [Fact]
    public void SecondOrderGradientsMatchFiniteDifferencesAtBatchThree()
    {
        using var scope = NewDisposeScope();
        var (model, images, targets) = Setup(ScalarType.Float64);
        model.eval();
        var method = new LearnedPropagation(model, Few);
        var plugin = method.CreatePlugin(images);
        var generator = new Generator(3);
        using (no_grad())
        {
            foreach (var p in plugin.Parameters)
            {
                p.copy_(0.5 * randn(p.shape, ScalarType.Float64, generator: generator));
            }
        }

        var original = method.OriginalLogProbabilities(images, targets);
        double Loss() => method.Evaluate(images, targets, original, plugin, createGraph: false).Loss.sum().item<double>();
        var loss = method.Evaluate(images, targets, original, plugin, createGraph: true).Loss.sum();
        var gradients = MLNetExplain.Engine.Gradients.Of(loss, plugin.Parameters);
        const double h = 1e-6;
        int checkedEntries = 0;
        for (int layer = 0; layer < plugin.Parameters.Count; layer++)
        {
            var parameter = plugin.Parameters[layer];
            var flatParameter = parameter.view(-1);
            var perImage = gradients[layer].flatten(1);
            long perImageSize = perImage.shape[1];
            for (long image = 0; image < 3; image++)
            {
                // The entry with the largest gradient of each image, so the check is not against zeros.
                long index = image * perImageSize + perImage[image].abs().argmax().item<long>();
                double analytic = gradients[layer].view(-1)[index].item<double>();
                double saved = flatParameter[index].item<double>();
                using (no_grad())
                {
                    flatParameter[index] = saved + h;
                }

                double plus = Loss();
                using (no_grad())
                {
                    flatParameter[index] = saved - h;
                }

                double minus = Loss();
                using (no_grad())
                {
                    flatParameter[index] = saved;
                }

                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(analytic) > 1e-6, $"layer {layer} image {image}: zero gradient");
                Assert.True(Math.Abs(numeric - analytic) <= 1e-5 * Math.Abs(analytic) + 1e-9,
                    $"layer {layer} image {image}: analytic {analytic}, finite difference {numeric}");
                checkedEntries++;
            }
        }

        Assert.Equal(9, checkedEntries);
    }

    [Fact]
    public void RepeatedRunsRepeat()
    {
        using var scope = NewDisposeScope();
        var (model, images, targets) = Setup();
        var a = new LearnedPropagation(model, Few).Attribute(images, targets).data<float>().ToArray();
        var b = new LearnedPropagation(model, Few).Attribute(images, targets).data<float>().ToArray();
        Assert.Equal(a, b);
    }

    [Fact]
    public void EachImageIsOptimisedOnItsOwn()
    {
        using var scope = NewDisposeScope();
        var (model, images, targets) = Setup();
        var batch = new LearnedPropagation(model, Few).Attribute(images, targets);
        var chunked = new LearnedPropagation(model, Few with { MaxImagesPerForward = 2 }).Attribute(images, targets);
        AssertClose(batch, chunked, 1e-5, "MaxImagesPerForward 2");
        for (int i = 0; i < 3; i++)
        {
            var alone = new LearnedPropagation(model, Few).Attribute(images.narrow(0, i, 1), targets.narrow(0, i, 1));
            AssertClose(batch.narrow(0, i, 1), alone, 1e-5, $"image {i} alone");
        }
    }

    [Fact]
    public void TheModelIsLeftAsItWas()
    {
        using var scope = NewDisposeScope();
        var (model, images, targets) = Setup();
        model.train();
        Tensor Logits()
        {
            using var noGrad = no_grad();
            model.eval();
            var logits = model.call(images);
            model.train();
            return logits;
        }

        var before = Logits();
        var parameters = model.parameters().Select(p => p.detach().clone()).ToList();
        var method = new LearnedPropagation(model, Few);
        // Construction gives each ReLU its one pass-through hook (ForwardTap); calls add none.
        int hooks = ForwardHooks.Count(model);
        method.Attribute(images, targets);
        Assert.True(model.training);
        Assert.Equal(hooks, ForwardHooks.Count(model));
        Assert.All(model.parameters().Zip(parameters), p => Assert.Equal(p.Second.data<float>().ToArray(), p.First.data<float>().ToArray()));
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(before.data<float>().ToArray(), Logits().data<float>().ToArray());
    }

    [Fact]
    public void AModelWithFunctionalReLUsFailsClearly()
    {
        using var scope = NewDisposeScope();
        var images = randn([2, 1, 8, 8], generator: new Generator(1));
        var targets = tensor(new long[] { 0, 1 });
        var error = Assert.Throws<ArgumentException>(() => new LearnedPropagation(new UserConvModel(), Few).Attribute(images, targets));
        Assert.Contains("nn.ReLU", error.Message);
        Assert.Contains("nn.functional", error.Message);
        var unused = Assert.Throws<InvalidOperationException>(() => new LearnedPropagation(new UncalledReLUModel(), Few).Attribute(randn(2, 4), targets));
        Assert.Contains("nn.functional", unused.Message);
        var reused = Assert.Throws<InvalidOperationException>(() => new LearnedPropagation(new ReusedReLUModel(), Few).Attribute(randn(2, 4), targets));
        Assert.Contains("more than once", reused.Message);
    }

    public static TheoryData<string, LearnedPropagationOptions> BadOptions() => new()
    {
        { "Steps", new LearnedPropagationOptions { Steps = 0 } },
        { "LearningRate", new LearnedPropagationOptions { LearningRate = 0 } },
        { "LearningRate", new LearnedPropagationOptions { LearningRate = double.NaN } },
        { "MaskScale", new LearnedPropagationOptions { MaskScale = -1 } },
        { "PositiveCentre", new LearnedPropagationOptions { PositiveCentre = 1.5 } },
        { "NegativeCentre", new LearnedPropagationOptions { NegativeCentre = -0.1 } },
        { "MaskWeight", new LearnedPropagationOptions { MaskWeight = double.PositiveInfinity } },
        { "MaxImagesPerForward", new LearnedPropagationOptions { MaxImagesPerForward = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptionsThrowNamingTheOption(string option, LearnedPropagationOptions options)
    {
        var error = Assert.Throws<ArgumentException>(() => new LearnedPropagation(new TinyConvClassifier(), options));
        Assert.Contains(option, error.Message);
    }
}
