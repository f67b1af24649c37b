using MLNetExplain.Attribution;
using static MLNetExplain.Tests.Attribution.Gradients.CaptumModels;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Gradients;

public class InputXGradientTests
{
    [Fact]
    public void ClosedFormModelsGiveInputTimesGradient()
    {
        using var scope = NewDisposeScope();
        // Linear: x * W[t]; smooth: logit 0 = sum(x^2) gives 2 x^2, logit 1 = sum(sin x) gives x cos x.
        var w = tensor(new double[] { 2, -3, -1, 1 }).view(2, 2);
        using var linear = new FunctionModel(x => x.mm(w.t()));
        var x = tensor(new double[] { 0.3, -2, 5, 1 }).view(2, 2);
        Assert.Equal([0.6, 6, -5, 1], Values(new InputXGradient(linear).Attribute(x, tensor(new long[] { 0, 1 }))), (a, b) => Math.Abs(a - b) < 1e-12);

        using var smooth = Smooth();
        var images = randn([2, 1, 3, 3], ScalarType.Float64, generator: new Generator(2));
        var maps = new InputXGradient(smooth).Attribute(images, tensor(new long[] { 0, 1 }));
        Assert.True(maps[0].allclose(2 * images[0].square(), 0, 1e-12) && maps[1].allclose(images[1] * images[1].cos(), 0, 1e-12));
    }

    [Fact]
    public void ResultDoesNotDependOnTheChunkingNorOnTheBatch()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(41);
        using var model = new TinyConvClassifier();
        var x = rand([4, 1, 8, 8], generator: new Generator(1));
        var targets = tensor(new long[] { 2, 0, 3, 1 });
        var whole = Values(new InputXGradient(model).Attribute(x, targets));
        Assert.True(Close(whole, Values(new InputXGradient(model, maxImagesPerForward: 3).Attribute(x, targets))));
        Assert.True(Close(whole, Values(new InputXGradient(model, maxImagesPerForward: 1).Attribute(x, targets))));
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Close(whole.Skip(i * 64).Take(64).ToArray(), Values(new InputXGradient(model).Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1)))));
        }

        using var smooth = Smooth();
        var classes = targets % 2;
        Assert.Equal(Values(new InputXGradient(smooth).Attribute(x, classes)), Values(new InputXGradient(smooth, maxImagesPerForward: 1).Attribute(x, classes)));
        Assert.Contains(whole, v => v != 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputXGradient(model, maxImagesPerForward: 0));
    }
}
