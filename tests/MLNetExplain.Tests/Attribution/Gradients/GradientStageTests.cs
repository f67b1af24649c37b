using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.ML.Persistence;
using MLNetExplain.Tests.ML.Stages;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Gradients;

public sealed class GradientStageTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly TempDirectory _folder = new();

    static GradientStageTests() => ExplainerModelFileTests.RegisterTestModels();

    public void Dispose() => _folder.Dispose();

    private static (Tensor Images, Tensor Labels) Tensors(List<TinyImage> rows) =>
        (tensor(rows.SelectMany(r => r.Features).ToArray(), [rows.Count, TinyImage.Channels, TinyImage.Height, TinyImage.Width]),
         tensor(rows.Select(r => (long)r.Label).ToArray()));

    private static void AssertRowsEqual(Tensor expected, List<float[]> maps)
    {
        Assert.Equal(expected.shape[0], maps.Count);
        for (int i = 0; i < maps.Count; i++)
        {
            var row = expected[i].flatten().data<float>().ToArray();
            float scale = row.Max(Math.Abs);
            Assert.True(scale > 0);
            Assert.Equal(row, maps[i], (a, b) => Math.Abs(a - b) <= 1e-6f * scale);
        }
    }

    [Fact]
    public void IntegratedGradientsAndInputXGradientStagesEqualTheTensorApi()
    {
        using var scope = NewDisposeScope();
        var model = new QuadraticClassifier();
        var rows = TinyImages.Rows(10);
        var data = TinyImages.View(_ml, rows);
        var (x, labels) = Tensors(rows);
        var options = new IntegratedGradientsOptions { Steps = 12, Rule = IntegrationRule.RiemannMiddle, BaselineValue = 0.5 };
        var ig = _ml.Transforms.IntegratedGradients(model, new IntegratedGradientsAttributionOptions { TargetColumnName = "Label", IntegratedGradients = options, BatchSize = 4 })
            .Fit(data).Transform(data).GetColumn<float[]>("IntegratedGradients").ToList();
        AssertRowsEqual(new IntegratedGradients(model, options).Attribute(x, labels), ig);

        // The flat overload with the predicted class.
        var predicted = AttributionTargets.Predicted(model, x);
        var flat = _ml.Transforms.IntegratedGradients(model, steps: 12, rule: IntegrationRule.RiemannMiddle, baselineValue: 0.5).Fit(data).Transform(data);
        AssertRowsEqual(new IntegratedGradients(model, options).Attribute(x, predicted), [.. flat.GetColumn<float[]>("IntegratedGradients")]);

        var ixg = _ml.Transforms.InputXGradient(model, targetColumnName: "Label").Fit(data).Transform(data).GetColumn<float[]>("InputXGradient").ToList();
        AssertRowsEqual(new InputXGradient(model).Attribute(x, labels), ixg);
    }

    [Fact]
    public void NoiseTunnelAndGradientShapStagesEqualTheTensorApi()
    {
        using var scope = NewDisposeScope();
        var model = new QuadraticClassifier();
        var rows = TinyImages.Rows(8);
        var data = TinyImages.View(_ml, rows);
        var (x, labels) = Tensors(rows);
        var tunnel = new NoiseTunnelOptions { Samples = 4, Type = NoiseTunnelType.VarGrad, Seed = 3 };

        // Saliency inside, |gradient| per sample by default (Captum's Saliency), as the tensor API's NoiseTunnel(Saliency(abs)).
        var saliency = _ml.Transforms.NoiseTunnel(model, new NoiseTunnelAttributionOptions { TargetColumnName = "Label", NoiseTunnel = tunnel })
            .Fit(data).Transform(data).GetColumn<float[]>("NoiseTunnel").ToList();
        using (var expected = new NoiseTunnel(new Saliency(model), tunnel))
        {
            AssertRowsEqual(expected.Attribute(x, labels), saliency);
        }

        // Integrated Gradients inside, with its own options.
        var igOptions = new IntegratedGradientsOptions { Steps = 5 };
        var ig = _ml.Transforms.NoiseTunnel(model, new NoiseTunnelAttributionOptions
        {
            TargetColumnName = "Label", NoiseTunnel = tunnel with { Type = NoiseTunnelType.SmoothGrad }, InnerMethod = "IntegratedGradients", InnerOptions = igOptions,
        }).Fit(data).Transform(data).GetColumn<float[]>("NoiseTunnel").ToList();
        using (var expected = new NoiseTunnel(new IntegratedGradients(model, igOptions), tunnel with { Type = NoiseTunnelType.SmoothGrad }))
        {
            AssertRowsEqual(expected.Attribute(x, labels), ig);
        }

        var shapOptions = new GradientShapOptions { Samples = 3, StdDev = 0.1, Seed = 4 };
        var shap = _ml.Transforms.GradientShap(model, new GradientShapAttributionOptions { TargetColumnName = "Label", GradientShap = shapOptions })
            .Fit(data).Transform(data).GetColumn<float[]>("GradientShap").ToList();
        using (var expected = new GradientShap(model, shapOptions))
        {
            AssertRowsEqual(expected.Attribute(x, labels), shap);
        }

        var ex = Assert.Throws<ArgumentException>(() => _ml.Transforms.NoiseTunnel(model, innerMethod: "NoSuchMethod"));
        Assert.Contains("NoSuchMethod", ex.Message);
        Assert.Throws<ArgumentException>(() => _ml.Transforms.IntegratedGradients(model, steps: 0));
    }

    [Fact]
    public void GradientStagesRoundTripThroughSaveWithExplainers()
    {
        var rows = TinyImages.Rows(6);
        var data = TinyImages.View(_ml, rows);
        var fitted = _ml.Transforms.IntegratedGradients(new QuadraticClassifier(), new IntegratedGradientsAttributionOptions
            {
                TargetColumnName = "Label", IntegratedGradients = new IntegratedGradientsOptions { Steps = 6, Rule = IntegrationRule.RiemannTrapezoid, BaselineValue = 0.25 },
            })
            .Append(_ml.Transforms.NoiseTunnel(new QuadraticClassifier(), new NoiseTunnelAttributionOptions
            {
                NoiseTunnel = new NoiseTunnelOptions { Samples = 3, Type = NoiseTunnelType.SmoothGradSquared, Seed = 5 },
                InnerMethod = "IntegratedGradients", InnerOptions = new IntegratedGradientsOptions { Steps = 4 }, Reduction = ChannelReduction.Sum,
            }))
            .Append(_ml.Transforms.NoiseTunnel(new QuadraticClassifier(), outputColumnName: "Tunnelled", samples: 2, seed: 6))
            .Append(_ml.Transforms.GradientShap(new QuadraticClassifier(), samples: 2, stdDev: 0.2, seed: 7))
            .Append(_ml.Transforms.InputXGradient(new LinearClassifier(), targetColumnName: "Label"))
            .Fit(data);
        var path = _folder.File("gradients.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);
        using var loaded = _ml.Model.LoadWithExplainers(path, out _);

        var before = fitted.Transform(data);
        var after = loaded.Transform(data);
        foreach (var column in new[] { "IntegratedGradients", "NoiseTunnel", "Tunnelled", "GradientShap", "InputXGradient" })
        {
            var expected = before.GetColumn<float[]>(column).ToList();
            Assert.Equal(expected, after.GetColumn<float[]>(column).ToList());
            Assert.Contains(expected, map => map.Any(v => v != 0));
        }
    }
}
