using MLNetExplain.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution;

public class ForwardTapTests
{
    [Fact]
    public void PlainForwardsOnOtherThreadsSurviveHookingMethodsOnTheSameModel()
    {
        // TorchSharp enumerates a module's hooks on every call without a lock: before the taps, a hook added or
        // removed by a DeepLift or Grad-CAM call failed a concurrent plain forward with "Collection was modified".
        random.manual_seed(31);
        using var model = new TinyConvClassifier();
        model.eval();
        var x = rand([4, 1, 8, 8], generator: new Generator(32));
        var targets = tensor(new long[] { 0, 1, 2, 3 });
        Tensor expectedLogits;
        using (no_grad())
        {
            expectedLogits = model.call(x);
        }

        var deepLift = new DeepLift(model).Attribute(x, targets);
        var gradCam = new GradCam(model, new GradCamOptions { Layer = "relu3" }).Attribute(x, targets);
        using var stop = new CancellationTokenSource();
        int plainCalls = 0;
        Exception? plainFailure = null;
        var plain = new Thread(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    if (!model.call(x).allclose(expectedLogits, 1e-5, 1e-6))
                    {
                        throw new InvalidOperationException("a plain forward saw a method's rule");
                    }

                    plainCalls++;
                }
            }
            catch (Exception e)
            {
                plainFailure = e;
            }
        });
        plain.Start();
        try
        {
            var methods = new AttributionMethod[] { new DeepLift(model), new GradCam(model, new GradCamOptions { Layer = "relu3" }) };
            for (int k = 0; k < 1000; k++)
            {
                using var scope = NewDisposeScope();
                Assert.True(methods[0].Attribute(x, targets).allclose(deepLift, 1e-5, 1e-6), $"DeepLift call {k}");
                Assert.True(methods[1].Attribute(x, targets).allclose(gradCam, 1e-5, 1e-6), $"Grad-CAM call {k}");
            }
        }
        finally
        {
            stop.Cancel();
            plain.Join();
        }

        Assert.Null(plainFailure);
        Assert.True(plainCalls > 0);
    }

    [Fact]
    public void AHandlerSeesOnlyItsOwnThreadsForwardPasses()
    {
        using var layer = nn.ReLU();
        var tap = ForwardTap.On(layer);
        Assert.Same(tap, ForwardTap.On(layer));
        int seen = 0;
        using (tap.Attach((_, _, output) =>
        {
            seen++;
            return output * 2;
        }))
        {
            Assert.Equal(2.0, layer.call(ones(1)).item<float>());
            float elsewhere = 0;
            var other = new Thread(() => elsewhere = layer.call(ones(1)).item<float>());
            other.Start();
            other.Join();
            Assert.Equal(1.0, elsewhere);
            Assert.Throws<InvalidOperationException>(() => tap.Attach((_, _, output) => output));
        }

        Assert.Equal(1.0, layer.call(ones(1)).item<float>());
        Assert.Equal(1, seen);
    }
}
