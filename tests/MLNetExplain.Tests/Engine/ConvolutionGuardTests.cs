using MLNetExplain.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Engine;

public class ConvolutionGuardTests
{
    private static double MaxRelativeError(Tensor actual, Tensor expected)
    {
        var a = actual.to_type(ScalarType.Float64);
        var e = expected.to_type(ScalarType.Float64);
        return (a - e).abs().max().item<double>() / e.abs().max().item<double>();
    }

    /// <summary>A user's model built from TorchSharp's own layers, with channel counts the fault hits.</summary>
    private sealed class UserCnn : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Conv2d conv1;
        private readonly TorchSharp.Modules.Conv2d conv2;
        private readonly TorchSharp.Modules.Linear fc;

        public UserCnn(int c1, int c2) : base(nameof(UserCnn))
        {
            conv1 = nn.Conv2d(3, c1, 3, padding: 1);
            conv2 = nn.Conv2d(c1, c2, 3, padding: 1);
            fc = nn.Linear(c2 * 8 * 8, 5);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) =>
            fc.forward(nn.functional.relu(conv2.forward(nn.functional.tanh(conv1.forward(x)))).flatten(1));
    }

    private static Tensor InputGradient(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        var input = x.detach().requires_grad_();
        var output = model.forward(input);
        return Gradients.Of(output.pow(2).sum(), input);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(10, 16)]
    [InlineData(24, 3)]
    public void GuardedConvInputGradientMatchesFloat64AtBatchFour(int outChannels, int inChannels)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        var conv = new GuardedConv2d(inChannels, outChannels, 3, padding: 1);
        var x = randn(4, inChannels, 9, 9);
        var gradOut = randn(4, outChannels, 9, 9);

        Tensor Grad(ScalarType type)
        {
            conv.to(type);
            var input = x.to_type(type).requires_grad_();
            return Gradients.Of(conv.forward(input), input, gradOut.to_type(type));
        }

        var expected = Grad(ScalarType.Float64);
        var actual = Grad(ScalarType.Float32);
        Assert.True(MaxRelativeError(actual, expected) < 1e-4, $"relative error {MaxRelativeError(actual, expected)}");
    }

    [Fact]
    public void PaddingChangesNothingInFloat64OrAtBatchOne()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var conv = new GuardedConv2d(3, 10, 3, padding: 1);
        var bias = conv.Bias!;
        foreach (var (type, batch) in new[] { (ScalarType.Float64, 4), (ScalarType.Float32, 1) })
        {
            conv.to(type);
            var input = randn(batch, 3, 7, 7, type).requires_grad_();
            var guarded = ConvolutionGuard.Conv2d(input, conv.Weight, conv.Bias, [1, 1], [1, 1], [1, 1]);
            var plain = nn.functional.conv2d(input, conv.Weight, conv.Bias, [1, 1], [1, 1], [1, 1], 1);
            Assert.Equal(0.0, (guarded - plain).abs().max().ToDouble());
            var gGuarded = Gradients.Of(guarded.sum(), input);
            var gPlain = Gradients.Of(plain.sum(), input);
            Assert.Equal(0.0, (gGuarded - gPlain).abs().max().ToDouble());
        }
    }

    [Fact]
    public void ForcedPaddingGivesTheSameForwardAndGradientAsFloat64()
    {
        // Checks the padded computation itself on every machine, also where the engine is not affected.
        using var scope = NewDisposeScope();
        var saved = ConvolutionGuard.Override;
        ConvolutionGuard.Override = true;
        try
        {
            random.manual_seed(5);
            var w = randn(10, 3, 3, 3, ScalarType.Float64);
            var b = randn(10, ScalarType.Float64);
            var x = randn(4, 3, 6, 6, ScalarType.Float64);
            var x32 = x.to_type(ScalarType.Float32).requires_grad_();
            Assert.True(ConvolutionGuard.NeedsPadding(x32, 10));
            var y32 = ConvolutionGuard.Conv2d(x32, w.to_type(ScalarType.Float32), b.to_type(ScalarType.Float32), [2, 2], [1, 1], [1, 1]);
            var x64 = x.clone().requires_grad_();
            var y64 = nn.functional.conv2d(x64, w, b, [2, 2], [1, 1], [1, 1], 1);
            Assert.Equal(y64.shape, y32.shape);
            Assert.True(MaxRelativeError(y32, y64) < 1e-5);
            var g32 = Gradients.Of(y32.pow(2).sum(), x32);
            var g64 = Gradients.Of(y64.pow(2).sum(), x64);
            Assert.True(MaxRelativeError(g32, g64) < 1e-4);
        }
        finally
        {
            ConvolutionGuard.Override = saved;
        }
    }

    [Fact]
    public void UserModuleConvolutionsAreProtected()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        var model = new UserCnn(3, 10);
        ModuleProtection.Protect(model);
        ModuleProtection.Protect(model); // idempotent: a second call adds no second hook
        var x = randn(6, 3, 8, 8);
        var actual = InputGradient(model, x);
        model.to(ScalarType.Float64);
        var expected = InputGradient(model, x.to_type(ScalarType.Float64));
        Assert.True(MaxRelativeError(actual, expected) < 1e-4, $"relative error {MaxRelativeError(actual, expected)}");
    }

    [Fact]
    public void SelfCheckAgreesWithADirectMeasurement()
    {
        // The detection must say "affected" exactly when an unguarded 3-channel conv is wrong at batch 2.
        using var scope = NewDisposeScope();
        random.manual_seed(9);
        var w = randn(3, 3, 3, 3, ScalarType.Float64);
        var x = randn(2, 3, 8, 8, ScalarType.Float64);
        Tensor Grad(ScalarType t)
        {
            var input = x.to_type(t).requires_grad_();
            var y = nn.functional.conv2d(input, w.to_type(t), null, [1, 1], [1, 1], [1, 1], 1);
            return Gradients.Of(y.pow(2).sum(), input);
        }

        bool wrong = !(MaxRelativeError(Grad(ScalarType.Float32), Grad(ScalarType.Float64)) < 1e-3);
        Assert.Equal(wrong, ConvolutionGuard.Detected);
    }

    [Fact]
    public void UnguardableConvolutionsAreRefusedOnAnAffectedEngine()
    {
        var saved = ConvolutionGuard.Override;
        ConvolutionGuard.Override = true;
        try
        {
            using var grouped = nn.Sequential(("conv", nn.Conv2d(4, 6, 3, groups: 2)));
            var ex = Assert.Throws<NotSupportedException>(() => ModuleProtection.Protect(grouped));
            Assert.Contains("grouped", ex.Message);
            using var reflect = nn.Sequential(("conv", nn.Conv2d(3, 5, 3, 1, 1, 1, PaddingModes.Reflect)));
            Assert.Throws<NotSupportedException>(() => ModuleProtection.Protect(reflect));
        }
        finally
        {
            ConvolutionGuard.Override = saved;
        }
    }
}
