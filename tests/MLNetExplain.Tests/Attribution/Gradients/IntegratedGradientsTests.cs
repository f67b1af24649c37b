using MLNetExplain.Attribution;
using static MLNetExplain.Tests.Attribution.Gradients.CaptumModels;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Gradients;

public class IntegratedGradientsTests
{
    public static TheoryData<IntegrationRule> Rules => [.. Enum.GetValues<IntegrationRule>()];

    [Theory]
    [MemberData(nameof(Rules))]
    public void BasicModel2And3GiveCaptumsValuesForEveryRule(IntegrationRule rule)
    {
        // Captum's test_multivariable_*: x = (3, 1), baseline 0, n_steps 500, tolerance 0.05.
        using var scope = NewDisposeScope();
        var x = tensor(new double[] { 3, 1 }).view(1, 2);
        var target = zeros(1, ScalarType.Int64);
        var options = new IntegratedGradientsOptions { Steps = 500, Rule = rule };
        using var model2 = BasicModel2();
        using var model3 = BasicModel3();
        var ig2 = new IntegratedGradients(model2, options).AttributeWithDelta(x, target);
        var ig3 = new IntegratedGradients(model3, options).Attribute(x, target, null);
        Assert.Equal([1.5, -0.5], Values(ig2.Attributions), (a, b) => Math.Abs(a - b) < 0.05);
        Assert.Equal([1.5, -0.5], Values(ig3), (a, b) => Math.Abs(a - b) < 0.05);
        // Implementation invariance: both models compute the same function, so the attributions sum alike (to F(x) - F(0) = 1).
        Assert.Equal(Values(ig2.Attributions).Sum(), Values(ig3).Sum(), 0.05);
        Assert.True(Math.Abs(Values(ig2.Delta)[0]) < 0.05);

        // Without multiplying by the inputs: the path-averaged gradient (0.5, -0.5).
        var local = new IntegratedGradients(model2, options with { MultiplyByInputs = false }).Attribute(x, target);
        Assert.Equal([0.5, -0.5], Values(local), (a, b) => Math.Abs(a - b) < 0.05);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void ALinearModelGetsItsWeightsTimesTheDistanceFromTheBaseline(IntegrationRule rule)
    {
        // F = W x + c: the gradient is W[t] everywhere, so IG = (x - x') * W[t] for any rule whose weights sum to 1.
        using var scope = NewDisposeScope();
        var w = tensor(new double[] { 2, -3, 0.5, -1, 1, 4 }).view(2, 3);
        using var model = new FunctionModel(x => x.mm(w.t()) + 7);
        var x = tensor(new double[] { 0.3, -2, 5, 1, 2, -0.5 }).view(2, 3);
        var baselines = tensor(new double[] { 1, 1, -1 });
        var targets = tensor(new long[] { 1, 0 });
        var ig = new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 7, Rule = rule }).AttributeWithDelta(x, targets, baselines);
        var expected = (x - baselines) * w.index_select(0, targets);
        Assert.Equal(Values(expected), Values(ig.Attributions), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.All(Values(ig.Delta), d => Assert.True(Math.Abs(d) < 1e-12));

        // BaselineValue is the default baseline.
        var constant = new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 7, Rule = rule, BaselineValue = 2 }).Attribute(x, targets);
        Assert.Equal(Values((x - 2) * w.index_select(0, targets)), Values(constant), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void CompletenessHoldsOnAConvClassifierAndDeltaIsCaptumsExpression()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(31);
        using var model = new TinyConvClassifier();
        model.eval();
        var x = rand([4, 1, 8, 8], generator: new Generator(7));
        var baselines = full([1, 1, 8, 8], 0.25f);
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var ig = new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 500 });
        using var result = ig.AttributeWithDelta(x, targets, baselines);

        // Captum's completeness threshold for n_steps = 500; the map is not trivially small.
        Assert.All(Values(result.Delta), d => Assert.True(Math.Abs(d) < 0.07, $"delta {d}"));
        Assert.True(result.Attributions.abs().sum().item<float>() > 0.1f);

        // The returned delta is exactly sum(attributions) - (F(x) - F(x')) computed outside.
        using var noGrad = no_grad();
        var fx = model.call(x).gather(1, targets.view(-1, 1)).squeeze(1);
        var fb = model.call(baselines.expand(x.shape)).gather(1, targets.view(-1, 1)).squeeze(1);
        Assert.Equal(Values(result.Attributions.flatten(1).sum(1) - (fx - fb)), Values(result.Delta));
        // ... and the attributions are those Attribute gives.
        Assert.Equal(Values(result.Attributions), Values(ig.Attribute(x, targets, baselines)));
    }

    [Fact]
    public void ResultDoesNotDependOnTheChunkingNorOnTheBatch()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(32);
        using var model = new TinyConvClassifier();
        using var smooth = Smooth();
        var x = rand([4, 1, 8, 8], generator: new Generator(8));
        var targets = tensor(new long[] { 3, 1, 0, 2 });
        var classes = targets % 2;
        double[] Run(nn.Module<Tensor, Tensor> m, Tensor t, int perForward) =>
            Values(new IntegratedGradients(m, new IntegratedGradientsOptions { Steps = 9, MaxImagesPerForward = perForward }).Attribute(x, t));

        // Bit for bit where the model computes each row alone; chunks of 7 straddle steps.
        var whole = Run(smooth, classes, 256);
        Assert.Equal(whole, Run(smooth, classes, 1));
        Assert.Equal(whole, Run(smooth, classes, 7));
        var conv = Run(model, targets, 256);
        Assert.True(Close(conv, Run(model, targets, 7)));
        Assert.True(Close(conv, Run(model, targets, 1)));

        var method = new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 9 });
        var batched = method.Attribute(x, targets);
        for (int i = 0; i < 4; i++)
        {
            var alone = method.Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1));
            Assert.True((alone - batched.narrow(0, i, 1)).abs().max().item<float>() <= 1e-6f, $"example {i} depends on its batch");
        }
    }

    [Fact]
    public void Float32AtBatchFourMatchesFloat64()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(33);
        using var model = new TinyConvClassifier();
        using var model64 = model.CopyAs(ScalarType.Float64);
        var x = rand([4, 1, 8, 8], generator: new Generator(9));
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var options = new IntegratedGradientsOptions { Steps = 16 };
        var single = new IntegratedGradients(model, options).Attribute(x, targets).to_type(ScalarType.Float64);
        var reference = new IntegratedGradients(model64, options).Attribute(x.to_type(ScalarType.Float64), targets);
        double scale = reference.abs().max().item<double>();
        Assert.True(scale > 1e-3);
        Assert.True((single - reference).abs().max().item<double>() < 1e-4 * scale);
    }

    [Fact]
    public void BadBaselinesAndOptionsAreRefusedByName()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvClassifier();
        var ig = new IntegratedGradients(model);
        var x = rand(4, 1, 8, 8);
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var ex = Assert.Throws<ArgumentException>(() => ig.Attribute(x, targets, zeros(3, 1, 8, 8)));
        Assert.Equal("baselines", ex.ParamName);
        Assert.Contains("[4, 1, 8, 8]", ex.Message);
        Assert.Equal("baselines", Assert.Throws<ArgumentException>(() => ig.AttributeWithDelta(x, targets, zeros(8, 7))).ParamName);
        Assert.Equal("baselines", Assert.Throws<ArgumentException>(() => ig.Attribute(x, targets, zeros(1, 1, 8, 8, ScalarType.Int64))).ParamName);
        Assert.Throws<ArgumentException>(() => new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 0 }));
        Assert.Throws<ArgumentException>(() => new IntegratedGradients(model, new IntegratedGradientsOptions { Rule = IntegrationRule.RiemannTrapezoid, Steps = 1 }));
        Assert.Throws<ArgumentException>(() => new IntegratedGradients(model, new IntegratedGradientsOptions { MaxImagesPerForward = 0 }));
    }

    [Fact]
    public void OnlyTheResultsStayAlive()
    {
        using var model = new TinyConvClassifier();
        using var x = rand([3, 1, 8, 8]);
        using var targets = tensor(new long[] { 0, 1, 2 });
        var ig = new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 5, MaxImagesPerForward = 4 });
        ig.Attribute(x, targets).Dispose(); // warm-up: lazily created module state
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var result = ig.Attribute(x, targets))
        {
            Assert.Equal(before + 1, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        using var withDelta = ig.AttributeWithDelta(x, targets);
        Assert.Equal(before + 2, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
