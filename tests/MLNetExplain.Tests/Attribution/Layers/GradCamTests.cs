using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Layers;

public class GradCamTests
{
    private static readonly GradCamOptions LayerSized = new() { Upsample = GradCamUpsampling.None };

    [Fact]
    public void NamedConvLayerOfAUserModelGivesTheClosedFormCam()
    {
        // logits = fc(mean_hw conv(x)): w_c = fc.weight[t, c] / (h w), so the map is sum_c fc.weight[t, c] A_c / (h w).
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        using var model = new GapClassifier();
        model.to(ScalarType.Float64);
        var x = randn([3, 1, 8, 8], ScalarType.Float64, generator: new Generator(1));
        var targets = tensor(new long[] { 0, 3, 1 });
        var maps = new GradCam(model, LayerSized with { Layer = "conv" }).Attribute(x, targets);

        Tensor a;
        using (no_grad())
        {
            a = model.Conv.call(x);
        }

        Assert.Equal(new long[] { 3, 1, 4, 4 }, maps.shape);
        var w = model.Fc.weight!.detach().index_select(0, targets).view(3, 3, 1, 1) / 16.0;
        var expected = (w * a).sum(1, keepdim: true);
        Assert.True(maps.allclose(expected, 0, 1e-12), $"max error {(maps - expected).abs().max().item<double>():G3}");
        Assert.True(expected.lt(0).any().item<bool>(), "the signed map should have negative cells for the ReLU test to mean something");
    }

    [Fact]
    public void FeatureMapOfAConvClassifierMatchesAHandComputedGradient()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(22);
        using var model32 = new TinyConvClassifier(c3: 5);
        using var model = model32.CopyAs(ScalarType.Float64);
        model.eval();
        var x = rand([4, 1, 8, 8], ScalarType.Float64, generator: new Generator(2));
        var targets = tensor(new long[] { 2, 0, 1, 3 });
        var maps = new GradCam(model, LayerSized).Attribute(x, targets);

        // By hand: A = Features(x), g = dF_t/dA, weights = mean of g over (h, w), map = sum_c weights_c A_c.
        Tensor expected;
        using (enable_grad())
        {
            var a = model.Features(x).detach().requires_grad_();
            var selected = model.Classify(a).gather(1, targets.view(-1, 1)).sum();
            var g = MLNetExplain.Engine.Gradients.Of(selected, a);
            expected = (g.mean([2, 3], keepdim: true) * a.detach()).sum(1, keepdim: true);
        }

        Assert.Equal(new long[] { 4, 1, 2, 2 }, maps.shape);
        Assert.True(maps.allclose(expected, 0, 1e-12));
        Assert.True(expected.abs().max().item<double>() > 1e-6, "the reference map should not vanish");

        // Float32 at batch 4 over 3- and 10-channel convolutions agrees with the float64 reference.
        model32.eval();
        var single = new GradCam(model32, LayerSized).Attribute(x.to_type(ScalarType.Float32), targets).to_type(ScalarType.Float64);
        Assert.True(single.allclose(expected, 1e-4, 1e-5), $"float32 differs by {(single - expected).abs().max().item<double>():G3}; engine affected: {ConvolutionGuard.EngineAffected}");
    }

    [Fact]
    public void ReluAttributionsClipTheSignedMap()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(23);
        using var model = new GapClassifier();
        var x = randn([2, 1, 8, 8], generator: new Generator(3));
        var targets = tensor(new long[] { 1, 2 });
        var signed = new GradCam(model, new GradCamOptions { Layer = "conv" }).Attribute(x, targets);
        var relu = new GradCam(model, new GradCamOptions { Layer = "conv", ReluAttributions = true }).Attribute(x, targets);
        Assert.True(signed.lt(0).any().item<bool>() && signed.gt(0).any().item<bool>());
        Assert.True(relu.eq(signed.clamp_min(0)).all().item<bool>());
    }

    [Fact]
    public void NearestUpsamplingRepeatsEachCellAndBilinearInterpolates()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(24);
        using var model = new GapClassifier();
        var x = randn([2, 1, 8, 8], generator: new Generator(4));
        var targets = tensor(new long[] { 0, 1 });
        var small = new GradCam(model, LayerSized with { Layer = "conv" }).Attribute(x, targets);
        var nearest = new GradCam(model, new GradCamOptions { Layer = "conv" }).Attribute(x, targets);
        var bilinear = new GradCam(model, new GradCamOptions { Layer = "conv", Upsample = GradCamUpsampling.Bilinear }).Attribute(x, targets);

        Assert.Equal(new long[] { 2, 1, 4, 4 }, small.shape);
        Assert.Equal(new long[] { 2, 1, 8, 8 }, nearest.shape);
        Assert.Equal(new long[] { 2, 1, 8, 8 }, bilinear.shape);
        for (int i = 0; i < 8; i++)
        {
            for (int j = 0; j < 8; j++)
            {
                Assert.Equal(small[.., .., i / 2, j / 2], nearest[.., .., i, j]);
            }
        }

        // align_corners=False, scale 2: output pixel 1 samples source 0.25, so 0.75 cell 0 + 0.25 cell 1 (rows and columns).
        var s = small[0, 0];
        double expected = 0.75 * (0.75 * s[0, 0].item<float>() + 0.25 * s[0, 1].item<float>()) + 0.25 * (0.75 * s[1, 0].item<float>() + 0.25 * s[1, 1].item<float>());
        Assert.Equal(expected, bilinear[0, 0, 1, 1].item<float>(), 5);
        Assert.Equal(s[0, 0].item<float>(), bilinear[0, 0, 0, 0].item<float>(), 6);

        var ex = Assert.Throws<ArgumentException>(() => GradCam.Interpolate(zeros(2, 4, 4), 8, 8));
        Assert.Contains("[N, C, h, w]", ex.Message);
    }

    [Fact]
    public void AMissingLayerNamesTheLayersThereAre()
    {
        using var model = new TinyConvClassifier();
        var ex = Assert.Throws<ArgumentException>(() => new GradCam(model, new GradCamOptions { Layer = "layer4" }));
        Assert.Contains("'layer4'", ex.Message);
        Assert.Contains("conv1, bn1, conv2, conv3, relu1, relu2, relu3, fc", ex.Message);

        // A model that is not a ConvClassifier needs a named layer; the message lists them.
        using var user = new GapClassifier();
        var unnamed = Assert.Throws<ArgumentException>(() => new GradCam(user));
        Assert.Contains("conv, fc", unnamed.Message);
        Assert.Throws<ArgumentException>(() => new GradCam(user, new GradCamOptions { Layer = "" }));
    }

    [Fact]
    public void ALayerUsedTwiceOrNotAMapIsRefused()
    {
        using var scope = NewDisposeScope();
        using var reused = new ReusedLayerModel();
        var x = rand(2, 1, 4, 4);
        var ex = Assert.Throws<ArgumentException>(() => new GradCam(reused, new GradCamOptions { Layer = "conv" }).Attribute(x, tensor(new long[] { 0, 1 })));
        Assert.Contains("ran 2 times", ex.Message);

        using var model = new GapClassifier();
        var notAMap = Assert.Throws<ArgumentException>(() => new GradCam(model, new GradCamOptions { Layer = "fc" }).Attribute(rand(2, 1, 8, 8), tensor(new long[] { 0, 1 })));
        Assert.Contains("[N, C, h, w]", notAMap.Message);

        // The hook is gone after a failed call: the model still computes its plain output.
        var before = model.call(rand(1, 1, 8, 8, generator: new Generator(9)));
        Assert.True(model.call(rand(1, 1, 8, 8, generator: new Generator(9))).eq(before).all().item<bool>());
    }

    [Fact]
    public void BatchedMapsEqualOneExampleAtATimeAndTheModelIsUnchanged()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(25);
        using var model = new TinyConvClassifier();
        model.train(); // batch norm in training mode would mix examples; GradCam evaluates in eval mode
        var x = rand([5, 1, 8, 8], generator: new Generator(5));
        var targets = tensor(new long[] { 3, 2, 1, 0, 3 });
        foreach (var options in new[] { new GradCamOptions(), new GradCamOptions { Layer = "conv2", ReluAttributions = true } })
        {
            var method = new GradCam(model, options);
            var batched = method.Attribute(x, targets);
            for (int i = 0; i < 5; i++)
            {
                var alone = method.Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1));
                Assert.True(batched.narrow(0, i, 1).allclose(alone, 1e-5, 1e-6), $"{options.Layer ?? "features"}: example {i} differs");
            }
        }

        Assert.True(model.training);
        model.eval();
        using var noGrad = no_grad();
        var logits = model.call(x);
        Assert.False(logits.requires_grad);
    }

    [Fact]
    public void ThreadsExplainingOneNamedLayerAtOnceGetTheirOwnMaps()
    {
        // Pipeline cursors and pooled PredictionEngines share the model: each call's hook reads its own forward pass.
        random.manual_seed(26);
        using var model = new GapClassifier();
        var inputs = Enumerable.Range(0, 4).Select(i => rand([3, 1, 8, 8], generator: new Generator((ulong)(40 + i)))).ToArray();
        var targets = tensor(new long[] { 0, 1, 2 });
        var options = new GradCamOptions { Layer = "conv" };
        var expected = inputs.Select(x => new GradCam(model, options).Attribute(x, targets)).ToArray();
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            using var map = new GradCam(model, options).Attribute(inputs[k % 4], targets);
            Assert.True(map.allclose(expected[k % 4], 1e-5, 1e-6), $"call {k} got another thread's map");
        });
    }
}
