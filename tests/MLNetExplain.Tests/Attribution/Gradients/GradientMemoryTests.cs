using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Gradients;

public class GradientMemoryTests
{
    /// <summary>Runs <paramref name="attribute"/> once to warm up, then checks that a second call leaves only its <paramref name="results"/> alive.</summary>
    private static void OnlyResultsStayAlive(Func<IDisposable> attribute, int results)
    {
        attribute().Dispose(); // lazily created module state
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (attribute())
        {
            Assert.Equal(before + results, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void OnlyTheResultsStayAlive()
    {
        using var model = new TinyConvClassifier();
        using var x = rand([3, 1, 8, 8]);
        using var targets = tensor(new long[] { 0, 1, 2 });
        using var baselines = rand([4, 1, 8, 8]);
        using var baseline = zeros([1, 1, 8, 8]);
        var ig = new IntegratedGradients(model, new IntegratedGradientsOptions { Steps = 5, MaxImagesPerForward = 4 });
        OnlyResultsStayAlive(() => ig.Attribute(x, targets), 1);
        OnlyResultsStayAlive(() => ig.AttributeWithDelta(x, targets, baseline), 2);
        OnlyResultsStayAlive(() => new InputXGradient(model, maxImagesPerForward: 2).Attribute(x, targets), 1);
        using var shap = new GradientShap(model, new GradientShapOptions { Samples = 3, StdDev = 0.1, MaxImagesPerForward = 4 });
        OnlyResultsStayAlive(() => shap.Attribute(x, targets, baselines), 1);
        OnlyResultsStayAlive(() => shap.AttributeWithDelta(x, targets, baselines), 2);
        using var tunnel = new NoiseTunnel(ig, new NoiseTunnelOptions { Samples = 3, SamplesPerForward = 2, MaxImagesPerForward = 4, Type = NoiseTunnelType.VarGrad });
        OnlyResultsStayAlive(() => tunnel.Attribute(x, targets), 1);
    }
}
