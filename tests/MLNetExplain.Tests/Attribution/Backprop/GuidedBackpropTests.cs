using MLNetExplain.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Backprop;

public class GuidedBackpropTests
{
    private static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    private static double MaxAbs(Tensor t) => t.abs().max().to_type(ScalarType.Float64).item<double>();

    [Fact]
    public void TwoLayerNetGivesTheHandComputedValues()
    {
        // out = W2 relu(W1 x), x = (1, 0.5): W1 x = (0.5, 2.5, -0.5), so the ReLU mask is (1, 1, 0); W2 = (-1, 2, 3).
        // gradient  = W1^T (W2 * mask)       = W1^T (-1, 2, 0) = (3, 3)
        // guided    = W1^T (relu(W2) * mask) = W1^T ( 0, 2, 0) = (4, 2)
        // deconv    = W1^T relu(W2)          = W1^T ( 0, 2, 3) = (1, 5)
        using var scope = NewDisposeScope();
        using var model = new TwoLayerReLUNet(new double[,] { { 1, -1 }, { 2, 1 }, { -1, 1 } }, new double[,] { { -1, 2, 3 } });
        var x = tensor(new double[] { 1, 0.5 }).view(1, 2);
        var target = zeros(1, ScalarType.Int64);
        Assert.Equal(new double[] { 3, 3 }, Values(new Saliency(model, absolute: false).Attribute(x, target)));
        Assert.Equal(new double[] { 4, 2 }, Values(new GuidedBackprop(model).Attribute(x, target)));
        Assert.Equal(new double[] { 1, 5 }, Values(new Deconvolution(model).Attribute(x, target)));
    }

    [Fact]
    public void TwoReLULayersMatchTheRulesWrittenOut()
    {
        // out = C relu(B relu(A x + a) + b): with masks m1 = [A x + a > 0], m2 = [B h1 + b > 0] and the target row c,
        // guided = A^T (m1 * relu(B^T (m2 * relu(c)))), deconv = A^T relu(B^T relu(c)).
        using var scope = NewDisposeScope();
        using var model = new ThreeLayerReLUNet(seed: 3);
        var (A, a, B, b, C) = model.Weights;
        var x = randn([4, 5], ScalarType.Float64, generator: new Generator(4));
        var targets = tensor(new long[] { 0, 1, 2, 1 });
        var guided = new GuidedBackprop(model).Attribute(x, targets);
        var deconv = new Deconvolution(model).Attribute(x, targets);
        for (int i = 0; i < 4; i++)
        {
            var z1 = A.mv(x[i]) + a;
            var m1 = z1.gt(0).to_type(ScalarType.Float64);
            var z2 = B.mv(z1.relu()) + b;
            var m2 = z2.gt(0).to_type(ScalarType.Float64);
            var c = C[targets[i].item<long>()];
            var expectedGuided = A.t().mv(m1 * B.t().mv(m2 * c.relu()).relu());
            var expectedDeconv = A.t().mv(B.t().mv(c.relu()).relu());
            Assert.True(guided[i].allclose(expectedGuided, 0, 1e-12), $"guided {i}: {guided[i].str()} vs {expectedGuided.str()}");
            Assert.True(deconv[i].allclose(expectedDeconv, 0, 1e-12), $"deconv {i}: {deconv[i].str()} vs {expectedDeconv.str()}");
        }

        // The rules matter here: both differ from the plain gradient.
        var gradient = new Saliency(model, absolute: false).Attribute(x, targets);
        Assert.True(MaxAbs(guided - gradient) > 1e-3 && MaxAbs(deconv - gradient) > 1e-3);
    }

    [Fact]
    public void GuidedBackpropIsThePlainGradientWhenNoReLUSeesANegativeGradient()
    {
        // Non-negative weights above the first layer: every ReLU receives a non-negative gradient, so only the forward
        // masks act and guided backprop is the gradient; deconvolution ignores the masks and differs.
        using var scope = NewDisposeScope();
        using var model = new ThreeLayerReLUNet(seed: 5, positiveTop: true);
        var x = randn([6, 5], ScalarType.Float64, generator: new Generator(6));
        var targets = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        var gradient = new Saliency(model, absolute: false).Attribute(x, targets);
        Assert.True(new GuidedBackprop(model).Attribute(x, targets).allclose(gradient, 0, 1e-12));
        Assert.True(MaxAbs(new Deconvolution(model).Attribute(x, targets) - gradient) > 1e-3);
    }

    [Fact]
    public void ReusedUnusedAndFunctionalReLUsFailClearly()
    {
        using var scope = NewDisposeScope();
        using var reused = new ReusedReLUModel();
        var guided = new GuidedBackprop(reused);
        int hooks = ForwardHooks.Count(reused);
        var expected = reused.call(ones(2, 4));
        var ex = Assert.Throws<InvalidOperationException>(() => guided.Attribute(rand(2, 4), zeros(2, ScalarType.Int64)));
        Assert.Contains("'shared'", ex.Message);
        // The failed call left no hook and no rule behind.
        Assert.Equal(hooks, ForwardHooks.Count(reused));
        Assert.True(reused.call(ones(2, 4)).allclose(expected, 0, 0));

        using var functional = new UserConvModel();
        var noModules = Assert.Throws<ArgumentException>(() => new Deconvolution(functional).Attribute(rand(2, 1, 8, 8), zeros(2, ScalarType.Int64)));
        Assert.Contains("nn.ReLU", noModules.Message);

        // A ReLU module that forward never calls: the activations are functional after all.
        using var unused = new UncalledReLUModel();
        var notCalled = Assert.Throws<InvalidOperationException>(() => new GuidedBackprop(unused).Attribute(rand(2, 4), zeros(2, ScalarType.Int64)));
        Assert.Contains("relu", notCalled.Message);
    }

    [Fact]
    public void ModelIsLeftUnchangedAndRepeatsItsResult()
    {
        using var scope = NewDisposeScope();
        using var model = new ThreeLayerReLUNet(seed: 7);
        var x = randn([3, 5], ScalarType.Float64, generator: new Generator(8));
        var targets = tensor(new long[] { 2, 0, 1 });
        var logitsBefore = model.call(x).detach();
        var gradientBefore = new Saliency(model, absolute: false).Attribute(x, targets);
        var methods = new AttributionMethod[] { new GuidedBackprop(model), new Deconvolution(model) };
        // Construction gives each ReLU its one pass-through hook (ForwardTap); calls add none.
        int hooks = ForwardHooks.Count(model);
        Assert.Equal(model.modules().Count(m => m is TorchSharp.Modules.ReLU), hooks);
        foreach (IAttributionMethod method in methods)
        {
            var first = method.Attribute(x, targets);
            Assert.True(method.Attribute(x, targets).allclose(first, 0, 0), method.Name);
            Assert.False(first.allclose(gradientBefore, 0, 1e-6), method.Name);
        }

        Assert.Equal(hooks, ForwardHooks.Count(model));
        Assert.True(model.call(x).allclose(logitsBefore, 0, 0));
        Assert.True(new Saliency(model, absolute: false).Attribute(x, targets).allclose(gradientBefore, 0, 0));
        Assert.True(new Saliency(model, absolute: false).Attribute(x, targets).allclose(gradientBefore, 0, 0));
    }

    [Fact]
    public void BatchedEqualsOneAtATimeAndFloat32MatchesFloat64()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(31);
        using var model = new TinyConvClassifier();
        using var model64 = model.CopyAs(ScalarType.Float64);
        var x = rand([4, 1, 8, 8], generator: new Generator(15));
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        foreach (var (method, reference) in new (AttributionMethod, AttributionMethod)[]
        {
            (new GuidedBackprop(model), new GuidedBackprop(model64)), (new Deconvolution(model), new Deconvolution(model64)),
        })
        {
            var batched = method.Attribute(x, targets);
            for (int i = 0; i < 4; i++)
            {
                var single = method.Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1));
                Assert.True(single[0].allclose(batched[i], 1e-4, 1e-6), $"{method.Name}: example {i} depends on its batch");
            }

            var expected = reference.Attribute(x.to_type(ScalarType.Float64), targets);
            double error = MaxAbs(batched.to_type(ScalarType.Float64) - expected);
            Assert.True(MaxAbs(expected) > 1e-4, $"{method.Name}: the reference should not vanish");
            Assert.True(error < 1e-4 * MaxAbs(expected), $"{method.Name}: float32 differs from float64 by {error:G3}");
        }
    }

    [Fact]
    public void OnlyTheResultsStayAlive()
    {
        using var model = new TinyConvClassifier();
        using var x = rand([3, 1, 8, 8]);
        using var targets = tensor(new long[] { 0, 1, 2 });
        var deepLift = new DeepLift(model);
        foreach (var method in new AttributionMethod[] { new GuidedBackprop(model), new Deconvolution(model), deepLift })
        {
            method.Attribute(x, targets).Dispose(); // warm-up: lazily created module state
            long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            using var result = method.Attribute(x, targets);
            Assert.Equal(before + 1, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        long beforeDelta = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using var withDelta = deepLift.AttributeWithDelta(x, targets);
        Assert.Equal(beforeDelta + 2, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void ConcurrentCallsOnOneModelGiveTheSequentialResults()
    {
        // Pooled PredictionEngines share a model across threads: calls of these methods are serialised on the model.
        using var scope = NewDisposeScope();
        random.manual_seed(32);
        using var model = new TinyConvClassifier();
        // In eval mode already: each call's switch to eval mode and back is not coordinated across threads.
        model.eval();
        var x = rand([2, 1, 8, 8], generator: new Generator(16));
        var targets = tensor(new long[] { 1, 2 });
        var expected = new Tensor[] { new GuidedBackprop(model).Attribute(x, targets), new DeepLift(model).Attribute(x, targets), new Deconvolution(model).Attribute(x, targets) };
        int hooks = ForwardHooks.Count(model);
        var results = new bool[12];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            using var threadScope = NewDisposeScope();
            AttributionMethod method = (i % 3) switch { 0 => new GuidedBackprop(model), 1 => new DeepLift(model), _ => new Deconvolution(model) };
            results[i] = method.Attribute(x, targets).allclose(expected[i % 3], 1e-5, 1e-7);
        });
        Assert.All(results, Assert.True);
        Assert.Equal(hooks, ForwardHooks.Count(model));
    }
}
