using MLNetExplain.Attribution;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Backprop;

public class DeepLiftTests
{
    private static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    private static double MaxAbs(Tensor t) => t.abs().max().to_type(ScalarType.Float64).item<double>();

    [Fact]
    public void MatchesCaptumsReLUDeepLiftModelWithExactCompleteness()
    {
        // Captum's test_relu_deeplift_exact_match: x = (1, 2), baseline 0 -> (2.0, 1.0), delta exactly 0;
        // without multiply_by_inputs the multipliers (2.0, 0.5).
        using var scope = NewDisposeScope();
        using var model = new ReLUDeepLiftModel();
        var x = tensor(new float[] { 1, 2 }).view(1, 2);
        var target = zeros(1, ScalarType.Int64);
        using var result = new DeepLift(model).AttributeWithDelta(x, target);
        Assert.Equal(new double[] { 2.0, 1.0 }, Values(result.Attributions));
        Assert.Equal(0.0, Values(result.Delta)[0]);
        var multipliers = new DeepLift(model, new DeepLiftOptions { MultiplyByInputs = false }).Attribute(x, target);
        Assert.Equal(new double[] { 2.0, 0.5 }, Values(multipliers));
    }

    [Fact]
    public void MatchesCaptumsLinearMaxPoolLinearModel()
    {
        // Captum's test_linear_maxpool_linear: F = max(x); inputs ones, baselines [[1,2,3,9],[4,8,6,7]] give
        // [[0,0,0,-8],[0,-7,0,0]] with delta 0: all credit to the baseline's maximum.
        using var scope = NewDisposeScope();
        using var model = new LinearMaxPoolLinearModel();
        var baselines = tensor(new float[] { 1, 2, 3, 9, 4, 8, 6, 7 }).view(2, 4);
        using var result = new DeepLift(model).AttributeWithDelta(ones(2, 4), zeros(2, ScalarType.Int64), baselines);
        Assert.Equal(new double[] { 0, 0, 0, -8, 0, -7, 0, 0 }, Values(result.Attributions));
        Assert.True(MaxAbs(result.Delta) < 1e-6);
    }

    [Fact]
    public void MaxPoolSplitsAWindowBetweenTheMaximaAtTheInputAndTheBaseline()
    {
        // One 2x2 window: x = [[3, 1], [0, 2]] peaks at (0, 0), x' = [[0, 1], [5, 0]] at (1, 0). Gaps 3 - 0 and
        // 5 - 0 give r = 3/8: attributions 3 * 3/8 and -5 * 5/8, summing to max(x) - max(x') = -2; the rest get 0.
        using var scope = NewDisposeScope();
        using var model = nn.Sequential(nn.MaxPool2d(2), nn.Flatten());
        model.to(ScalarType.Float64);
        var x = tensor(new double[] { 3, 1, 0, 2 }).view(1, 1, 2, 2);
        var baseline = tensor(new double[] { 0, 1, 5, 0 }).view(1, 1, 2, 2);
        using var result = new DeepLift(model).AttributeWithDelta(x, zeros(1, ScalarType.Int64), baseline);
        var a = Values(result.Attributions);
        Assert.Equal(9.0 / 8, a[0], 12);
        Assert.Equal(0, a[1]);
        Assert.Equal(-25.0 / 8, a[2], 12);
        Assert.Equal(0, a[3]);
        Assert.True(MaxAbs(result.Delta) < 1e-12);
    }

    [Fact]
    public void GlobalAndOverlappingMaxPoolsAreExactToo()
    {
        // Overlapping 3x3 windows with stride 1 share elements; a global adaptive max-pool has one window per channel.
        using var scope = NewDisposeScope();
        random.manual_seed(28);
        using var model = nn.Sequential(nn.Conv2d(2, 4, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(3, 1), nn.Conv2d(4, 5, 3),
            nn.ReLU(), nn.AdaptiveMaxPool2d([1, 1]), nn.Flatten(), nn.Linear(5, 3));
        model.to(ScalarType.Float64);
        var x = randn([4, 2, 9, 9], ScalarType.Float64, generator: new Generator(20));
        var baselines = randn([4, 2, 9, 9], ScalarType.Float64, generator: new Generator(21));
        using var result = new DeepLift(model).AttributeWithDelta(x, tensor(new long[] { 0, 1, 2, 0 }), baselines);
        Assert.True(MaxAbs(result.Delta) < 1e-10, $"delta {MaxAbs(result.Delta):G3}");
    }

    public static TheoryData<string> ConvNets => ["SmallCnn", "ResNet"];

    [Theory]
    [MemberData(nameof(ConvNets))]
    public void CompletenessIsExactOnConvNetsWithMaxPoolsInFloat64(string architecture)
    {
        // Random baselines move the argmax of many pooling windows, where an argmax-only max-pool rule loses completeness.
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        using ConvClassifier model = architecture == "SmallCnn"
            ? new SmallCnn(inputChannels: 3, numClasses: 5, width: 4)
            : ResNet.Compact(numClasses: 5, inputChannels: 3);
        RandomiseBatchNorm(model);
        model.to(ScalarType.Float64);
        var generator = new Generator(8);
        var x = rand([3, 3, 8, 8], ScalarType.Float64, generator: generator);
        var baselines = rand([3, 3, 8, 8], ScalarType.Float64, generator: generator);
        var targets = tensor(new long[] { 0, 2, 4 });
        var deepLift = new DeepLift(model);
        foreach (var b in new Tensor?[] { baselines, null })
        {
            using var result = deepLift.AttributeWithDelta(x, targets, b);
            Assert.True(MaxAbs(result.Delta) < 1e-10, $"{architecture}: delta {MaxAbs(result.Delta):G3}");
            Assert.True(MaxAbs(result.Attributions) > 1e-3, "attributions should not vanish");
        }
    }

    [Fact]
    public void EveryActivationKindIsExactAndFallsBackToItsDerivativeWhereNothingChanges()
    {
        // Rescale makes every activation exact, so completeness holds for any mix of them; where the input equals
        // the baseline, every |delta-in| is below eps and the multipliers are the ordinary gradient.
        using var scope = NewDisposeScope();
        random.manual_seed(26);
        using var model = nn.Sequential(nn.Linear(3, 6), nn.Sigmoid(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 6), nn.Softplus(2),
            nn.Linear(6, 6), nn.LeakyReLU(0.1), nn.Linear(6, 6), nn.ELU(0.7), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 2));
        model.to(ScalarType.Float64);
        var x = randn([5, 3], ScalarType.Float64, generator: new Generator(16)) * 2;
        var baselines = randn([5, 3], ScalarType.Float64, generator: new Generator(17)) * 2;
        var targets = tensor(new long[] { 0, 1, 0, 1, 1 });
        using var result = new DeepLift(model).AttributeWithDelta(x, targets, baselines);
        Assert.True(MaxAbs(result.Delta) < 1e-12, $"delta {MaxAbs(result.Delta):G3}");
        var multipliers = new DeepLift(model, new DeepLiftOptions { MultiplyByInputs = false }).Attribute(x, targets, x);
        var gradient = new Saliency(model, absolute: false).Attribute(x, targets);
        Assert.True(multipliers.allclose(gradient, 0, 1e-12), $"{multipliers.str()} vs {gradient.str()}");
        Assert.True(MaxAbs(gradient) > 1e-3);
    }

    [Fact]
    public void Float32ConvNetsPassTheCompletenessCheck()
    {
        // The default tolerance must leave float32 rounding alone on realistic networks (28x28 SmallCnn, 32x32 ResNet).
        using var scope = NewDisposeScope();
        random.manual_seed(27);
        using var small = new SmallCnn(inputChannels: 1, numClasses: 10, width: 16);
        using var resnet = ResNet.Compact(numClasses: 10, inputChannels: 3);
        foreach (var (model, image) in new (ConvClassifier, long[])[] { (small, [8, 1, 28, 28]), (resnet, [4, 3, 32, 32]) })
        {
            RandomiseBatchNorm(model);
            var x = rand(image, generator: new Generator(18));
            var targets = arange(image[0]).remainder(10);
            using var result = new DeepLift(model).AttributeWithDelta(x, targets, rand(image, generator: new Generator(19)));
            Assert.True(MaxAbs(result.Delta) < 1e-4, $"{model.GetType().Name}: delta {MaxAbs(result.Delta):G3}");
        }
    }

    internal static void RandomiseBatchNorm(nn.Module model)
    {
        using var noGrad = no_grad();
        var generator = new Generator(5);
        foreach (var (name, buffer) in model.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
            {
                buffer.copy_(randn(buffer.shape, generator: generator) * 0.1);
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                buffer.copy_(rand(buffer.shape, generator: generator) + 0.5);
            }
        }
    }

    [Fact]
    public void DeltaIsTheExternallyComputedCompletenessGap()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(22);
        using var model = new TinyConvClassifier();
        var x = rand([4, 1, 8, 8], generator: new Generator(9));
        var baselines = rand([1, 1, 8, 8], generator: new Generator(10));
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var deepLift = new DeepLift(model);
        using var result = deepLift.AttributeWithDelta(x, targets, baselines);
        Assert.True(result.Attributions.allclose(deepLift.Attribute(x, targets, baselines), 0, 0));
        model.eval();
        using var noGrad = no_grad();
        var logits = model.call(x);
        var baseLogits = model.call(baselines.expand(4, 1, 8, 8));
        var change = logits.gather(1, targets.view(-1, 1)).squeeze(1) - baseLogits.gather(1, targets.view(-1, 1)).squeeze(1);
        var expected = result.Attributions.flatten(1).sum(1) - change;
        Assert.True(result.Delta.allclose(expected, 0, 1e-5), $"delta {result.Delta.str()} vs {expected.str()}");
        Assert.True(MaxAbs(result.Delta) < 1e-4);
    }

    [Fact]
    public void BaselineValueIsTheDefaultBaselineAndBaselinesBroadcast()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(23);
        using var model = new TinyConvClassifier();
        var x = rand([2, 1, 8, 8], generator: new Generator(11));
        var targets = tensor(new long[] { 1, 3 });
        var byOption = new DeepLift(model, new DeepLiftOptions { BaselineValue = 0.25 }).Attribute(x, targets);
        var explicitFull = new DeepLift(model).Attribute(x, targets, full([2, 1, 8, 8], 0.25));
        var broadcast = new DeepLift(model).Attribute(x, targets, full([1, 8, 8], 0.25));
        var zero = new DeepLift(model).Attribute(x, targets);
        Assert.True(byOption.allclose(explicitFull, 0, 1e-7) && broadcast.allclose(explicitFull, 0, 1e-7));
        Assert.False(zero.allclose(byOption, 0, 1e-3));
        var ex = Assert.Throws<ArgumentException>(() => new DeepLift(model).Attribute(x, targets, zeros(3, 1, 8, 8)));
        Assert.Equal("baselines", ex.ParamName);
    }

    [Fact]
    public void ReusedModuleFailsNamingIt()
    {
        using var scope = NewDisposeScope();
        using var model = new ReusedReLUModel();
        var deepLift = new DeepLift(model);
        int hooks = ForwardHooks.Count(model);
        var ex = Assert.Throws<InvalidOperationException>(() => deepLift.Attribute(rand(2, 4), zeros(2, ScalarType.Int64)));
        Assert.Contains("'shared'", ex.Message);
        Assert.Contains("more than once", ex.Message);
        // The failed call left no hook behind (construction installed the one pass-through hook per module).
        Assert.Equal(hooks, ForwardHooks.Count(model));
        Assert.Equal(new long[] { 2, 2 }, model.call(rand(2, 4)).shape);
    }

    [Fact]
    public void ModelsWithoutActivationModulesOrWithFunctionalOnesFailClearly()
    {
        using var scope = NewDisposeScope();
        using var functional = new UserConvModel();
        var ex = Assert.Throws<ArgumentException>(() => new DeepLift(functional).Attribute(rand(2, 1, 8, 8), zeros(2, ScalarType.Int64)));
        Assert.Contains("nn.functional", ex.Message);
        Assert.Contains("one activation module per call site", ex.Message);

        // relu(x1) + relu(x2 - 0.5) with the second relu functional: at x = (1, 1), x' = 0 its ordinary gradient 1
        // gives attribution 1 where DeepLift's is 0.5, so completeness is off by 0.5.
        using var half = new HalfFunctionalModel();
        var x = tensor(new float[] { 1, 1 }).view(1, 2);
        var broken = Assert.Throws<InvalidOperationException>(() => new DeepLift(half).Attribute(x, zeros(1, ScalarType.Int64)));
        Assert.Contains("completeness", broken.Message);
        using var accepted = new DeepLift(half, new DeepLiftOptions { CompletenessTolerance = null }).AttributeWithDelta(x, zeros(1, ScalarType.Int64));
        Assert.Equal(new double[] { 1, 1 }, Values(accepted.Attributions));
        Assert.Equal(0.5, Values(accepted.Delta)[0], 6);
    }

    [Fact]
    public void ModelIsLeftUnchangedAndRepeatsItsResult()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(24);
        using var model = new TinyConvClassifier();
        model.train();
        var x = rand([3, 1, 8, 8], generator: new Generator(12));
        var targets = tensor(new long[] { 0, 1, 2 });
        model.eval();
        var logitsBefore = model.call(x).detach();
        var saliencyBefore = new Saliency(model, absolute: false).Attribute(x, targets);
        model.train();
        var deepLift = new DeepLift(model);
        // Construction gives each supported module its one pass-through hook (ForwardTap); calls add none.
        int hooksBefore = ForwardHooks.Count(model);
        var first = deepLift.Attribute(x, targets);
        var second = deepLift.Attribute(x, targets);
        Assert.True(model.training);
        Assert.Equal(hooksBefore, ForwardHooks.Count(model));
        Assert.True(first.allclose(second, 0, 0));
        model.eval();
        Assert.True(model.call(x).allclose(logitsBefore, 0, 0));
        Assert.True(new Saliency(model, absolute: false).Attribute(x, targets).allclose(saliencyBefore, 0, 0));
    }

    [Fact]
    public void InPlaceReLUsWorkAndStayInPlace()
    {
        using var scope = NewDisposeScope();
        double[,] w1 = { { 1, -1 }, { 2, 1 }, { -1, 1 } }, w2 = { { -1, 2, 3 } };
        using var inPlace = new TwoLayerReLUNet(w1, w2, inplace: true);
        using var outOfPlace = new TwoLayerReLUNet(w1, w2);
        var x = tensor(new double[] { 1, 0.5, -0.5, 2 }).view(2, 2);
        var baselines = tensor(new double[] { 0.2, -1 }).view(1, 2);
        var targets = zeros(2, ScalarType.Int64);
        var expected = new DeepLift(outOfPlace).Attribute(x, targets, baselines);
        Assert.True(new DeepLift(inPlace).Attribute(x, targets, baselines).allclose(expected, 0, 1e-12));
        Assert.True(inPlace.Relu.inplace);
    }

    [Fact]
    public void BatchedEqualsOneAtATimeAndFloat32MatchesFloat64()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(25);
        using var model = new TinyConvClassifier();
        using var model64 = model.CopyAs(ScalarType.Float64);
        var x = rand([4, 1, 8, 8], generator: new Generator(13));
        var baselines = rand([4, 1, 8, 8], generator: new Generator(14));
        var targets = tensor(new long[] { 3, 2, 1, 0 });
        var batched = new DeepLift(model).Attribute(x, targets, baselines);
        for (int i = 0; i < 4; i++)
        {
            var single = new DeepLift(model).Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1), baselines.narrow(0, i, 1));
            Assert.True(single[0].allclose(batched[i], 1e-4, 1e-6), $"example {i} depends on its batch");
        }

        var reference = new DeepLift(model64).Attribute(x.to_type(ScalarType.Float64), targets, baselines.to_type(ScalarType.Float64));
        double error = MaxAbs(batched.to_type(ScalarType.Float64) - reference);
        Assert.True(error < 1e-4 * MaxAbs(reference), $"float32 differs from float64 by {error:G3}");
    }

    [Fact]
    public void BadOptionsFailNamingTheOption()
    {
        using var model = new ReLUDeepLiftModel();
        Assert.Contains("Eps", Assert.Throws<ArgumentException>(() => new DeepLift(model, new DeepLiftOptions { Eps = -1 })).Message);
        Assert.Contains("BaselineValue", Assert.Throws<ArgumentException>(() => new DeepLift(model, new DeepLiftOptions { BaselineValue = double.NaN })).Message);
        Assert.Contains("CompletenessTolerance", Assert.Throws<ArgumentException>(() => new DeepLift(model, new DeepLiftOptions { CompletenessTolerance = -1 })).Message);
    }
}
