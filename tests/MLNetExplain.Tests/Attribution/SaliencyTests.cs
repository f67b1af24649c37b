using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution;

public class SaliencyTests
{
    private static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();

    [Fact]
    public void MatchesCaptumsBasicModelValues()
    {
        // Captum's BasicModel f(x) = 1 - relu(1 - x): saliency of [1, 2, 3, 0, -1, 7] is [0, 0, 0, 1, 1, 0].
        using var scope = NewDisposeScope();
        using var model = new FunctionModel(x => 1 - nn.functional.relu(1 - x));
        var x = tensor(new double[] { 1, 2, 3, 0, -1, 7 }).view(6, 1);
        var saliency = new Saliency(model).Attribute(x, zeros(6, ScalarType.Int64));
        Assert.Equal(new double[] { 0, 0, 0, 1, 1, 0 }, Values(saliency));
    }

    [Fact]
    public void LinearModelGivesItsWeightRowsSignedOrAbsolute()
    {
        // logits = W x with W = [[2, -3], [-1, 1]]: the gradient of class k is row k of W, whatever x is.
        using var scope = NewDisposeScope();
        var w = tensor(new double[] { 2, -3, -1, 1 }).view(2, 2);
        using var model = new FunctionModel(x => x.mm(w.t()));
        var x = tensor(new double[] { 0.3, -2, 5, 1 }).view(2, 2);
        var targets = tensor(new long[] { 0, 1 });
        Assert.Equal(new double[] { 2, 3, 1, 1 }, Values(new Saliency(model).Attribute(x, targets)));
        Assert.Equal(new double[] { 2, -3, -1, 1 }, Values(new Saliency(model, absolute: false).Attribute(x, targets)));
        Assert.Equal(new double[] { -1, 1, -1, 1 }, Values(new Saliency(model, absolute: false).Attribute(x, tensor(new long[] { 1, 1 }))));
    }

    [Fact]
    public void QuadraticModelGivesTwiceTheInput()
    {
        // f_0 = sum(x^2), f_1 = sum(sin x): gradients 2x and cos x per element of [N, C, H, W] images.
        using var scope = NewDisposeScope();
        using var model = new FunctionModel(x => stack([x.square().flatten(1).sum(1), x.sin().flatten(1).sum(1)], 1));
        var x = randn([3, 2, 4, 4], ScalarType.Float64, generator: new Generator(5));
        var maps = new Saliency(model, absolute: false).Attribute(x, tensor(new long[] { 0, 1, 0 }));
        Assert.Equal(new long[] { 3, 2, 4, 4 }, maps.shape);
        Assert.True(maps[0].allclose(2 * x[0], 0, 1e-12) && maps[1].allclose(x[1].cos(), 0, 1e-12) && maps[2].allclose(2 * x[2], 0, 1e-12));
    }

    [Fact]
    public void Float32AtBatchFourMatchesFloat64OnConvolutionsWithThreeAndTenChannels()
    {
        // The engine check the project's guide asks for: batch > 1, out-channels not multiples of 16, against float64.
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        using var model = new TinyConvClassifier();
        using var model64 = model.CopyAs(ScalarType.Float64);
        model.eval();
        model64.eval();
        var x = rand([4, 1, 8, 8], generator: new Generator(3));
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var single = new Saliency(model, absolute: false).Attribute(x, targets);
        var reference = new Saliency(model64, absolute: false).Attribute(x.to_type(ScalarType.Float64), targets);
        double scale = reference.abs().max().item<double>();
        double error = (single.to_type(ScalarType.Float64) - reference).abs().max().item<double>();
        Assert.True(scale > 1e-3, "the reference gradient should not vanish");
        Assert.True(error < 1e-4 * scale, $"float32 saliency differs from float64 by {error:G3} (scale {scale:G3}); engine affected: {ConvolutionGuard.EngineAffected}");
    }

    [Fact]
    public void BatchedResultEqualsOneExampleAtATimeAndTrainingModeIsRestored()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(12);
        using var model = new TinyConvClassifier();
        model.train(); // batch norm in training mode would mix examples; Saliency evaluates in eval mode
        var x = rand([5, 1, 8, 8], generator: new Generator(4));
        var targets = tensor(new long[] { 3, 2, 1, 0, 3 });
        var saliency = new Saliency(model);
        var batched = saliency.Attribute(x, targets);
        for (int i = 0; i < 5; i++)
        {
            var single = saliency.Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1));
            Assert.True(single[0].allclose(batched[i], 1e-5, 1e-7), $"example {i} depends on its batch");
        }

        Assert.True(model.training);
    }

    [Fact]
    public void UserTorchSharpModuleWithPlainConv2dLayersMatchesFloat64()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(13);
        using var model = new UserConvModel();
        using var model64 = new UserConvModel();
        model64.load_state_dict(model.state_dict());
        model64.to(ScalarType.Float64);
        var x = rand([4, 1, 8, 8], generator: new Generator(5));
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        var single = new Saliency(model, absolute: false).Attribute(x, targets);
        var reference = new Saliency(model64, absolute: false).Attribute(x.to_type(ScalarType.Float64), targets);
        double scale = reference.abs().max().item<double>();
        Assert.True((single.to_type(ScalarType.Float64) - reference).abs().max().item<double>() < 1e-4 * scale);
    }

    [Fact]
    public void BadInputsFailWithTheArgumentAndExpectedShape()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConvClassifier();
        var saliency = new Saliency(model);
        var x = rand(2, 1, 8, 8);
        var ex = Assert.Throws<ArgumentException>(() => saliency.Attribute(x, tensor(new long[] { 0, 1, 2 })));
        Assert.Equal("targets", ex.ParamName);
        Assert.Contains("[2]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => saliency.Attribute(x, tensor(new float[] { 0, 1 })));
        Assert.Contains("Int64", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => saliency.Attribute(x, tensor(new long[] { 0, 4 })));
        Assert.Contains("[0, 3]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => saliency.Attribute(x.to_type(ScalarType.Float64), tensor(new long[] { 0, 1 })));
        Assert.Contains("Float32", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => saliency.Attribute(x.to_type(ScalarType.Int64), tensor(new long[] { 0, 1 })));
        Assert.Equal("inputs", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => saliency.Attribute(rand(3), tensor(new long[] { 0, 1, 2 })));
        Assert.Contains("[N, C, H, W]", ex.Message);
    }
}
