using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Layers;

public sealed class GradCamStageTests : IDisposable
{
    private const int Channels = 2, Size = 8, Classes = 4;
    private readonly MLContext _ml = new(seed: 1);
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private sealed class ImageRow
    {
        [VectorType(Channels, Size, Size)]
        public float[] Features { get; set; } = [];

        [KeyType(Classes)]
        public uint Label { get; set; }
    }

    private sealed class CamRow
    {
        public float[] GradCAM { get; set; } = [];
    }

    private static List<ImageRow> Rows(int count)
    {
        var random = new Random(4);
        return [.. Enumerable.Range(0, count).Select(i => new ImageRow
        {
            Features = [.. Enumerable.Range(0, Channels * Size * Size).Select(_ => (float)random.NextDouble())],
            Label = (uint)(i % Classes),
        })];
    }

    private static (SmallCnn Model, ClassifierSpec Spec) Model()
    {
        var spec = ClassifierSpec.SmallCnn(numClasses: Classes, inputChannels: Channels, width: 4);
        var model = (SmallCnn)spec.Build(new TorchSharp.torch.Generator(6));
        ModelArchitectures.Register(model, spec);
        return (model, spec);
    }

    /// <summary>The tensor API's maps [N, 1, H, W] for the rows' labels, as one float[] per row.</summary>
    private static List<float[]> Expected(nn.Module<Tensor, Tensor> model, List<ImageRow> rows, GradCamOptions options)
    {
        using var scope = NewDisposeScope();
        var x = tensor(rows.SelectMany(r => r.Features).ToArray(), [rows.Count, Channels, Size, Size]);
        var maps = new GradCam(model, options).Attribute(x, tensor(rows.Select(r => (long)r.Label).ToArray()));
        return [.. Enumerable.Range(0, rows.Count).Select(i => maps[i].flatten().data<float>().ToArray())];
    }

    [Fact]
    public void StageEqualsTheTensorApiForTheFeatureMapAndANamedLayer()
    {
        var (model, _) = Model();
        var rows = Rows(10);
        var data = _ml.Data.LoadFromEnumerable(rows);

        var output = _ml.Transforms.GradCam(model, targetColumnName: "Label").Fit(data).Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, Size, Size), output.Schema["GradCAM"].Type);
        var maps = output.GetColumn<float[]>("GradCAM").ToList();
        var expected = Expected(model, rows, new GradCamOptions());
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i], maps[i], (a, b) => Math.Abs(a - b) <= 1e-5f * (1 + Math.Abs(b)));
        }

        Assert.Contains(maps, m => m.Any(v => v != 0));

        // PredictionEngine explains one row per call and agrees with the batched pass.
        var engine = _ml.Model.CreatePredictionEngine<ImageRow, CamRow>(_ml.Transforms.GradCam(model, targetColumnName: "Label").Fit(data));
        Assert.Equal(maps[3], engine.Predict(rows[3]).GradCAM, (a, b) => Math.Abs(a - b) <= 1e-5f * (1 + Math.Abs(b)));

        // A named layer with ReLU and bilinear upsampling, batch size 3, and no channel reduction: the map fills both channels.
        var options = new GradCamOptions { Layer = "conv2", ReluAttributions = true, Upsample = GradCamUpsampling.Bilinear };
        var named = _ml.Transforms.GradCam(model, new GradCamAttributionOptions
        {
            TargetColumnName = "Label", Reduction = ChannelReduction.None, BatchSize = 3, GradCam = options,
        }).Fit(data).Transform(data);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, Channels, Size, Size), named.Schema["GradCAM"].Type);
        var namedMaps = named.GetColumn<float[]>("GradCAM").ToList();
        var namedExpected = Expected(model, rows, options);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(namedExpected[i], namedMaps[i].Take(Size * Size), (a, b) => Math.Abs(a - b) <= 1e-5f * (1 + Math.Abs(b)));
            Assert.Equal(namedMaps[i].Take(Size * Size), namedMaps[i].Skip(Size * Size));
            Assert.All(namedMaps[i], v => Assert.True(v >= 0));
        }

        Assert.Contains(namedMaps, m => m.Any(v => v > 0));
    }

    [Fact]
    public void BadSettingsFailWhenThePipelineIsBuilt()
    {
        var (model, _) = Model();
        var missing = Assert.Throws<ArgumentException>(() => _ml.Transforms.GradCam(model, layer: "layer4"));
        Assert.Contains("conv1, bn1, act1", missing.Message);
        var layerSized = Assert.Throws<ArgumentException>(() => _ml.Transforms.GradCam(model, new GradCamAttributionOptions
        {
            GradCam = new GradCamOptions { Upsample = GradCamUpsampling.None },
        }));
        Assert.Contains("Upsample", layerSized.Message);
    }

    [Fact]
    public void SaveWithExplainersRoundTripsTheStageAndItsLayerSettings()
    {
        var (model, _) = Model();
        var rows = Rows(6);
        var data = _ml.Data.LoadFromEnumerable(rows);
        var fitted = _ml.Transforms.GradCam(model, new GradCamAttributionOptions
        {
            GradCam = new GradCamOptions { Layer = "act2", Upsample = GradCamUpsampling.Bilinear }, Normalization = AttributionNormalization.MaxAbs,
        }).Fit(data);
        var path = _folder.File("gradcam.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);

        using var loaded = _ml.Model.LoadWithExplainers(path, out _);
        var stage = Assert.IsType<AttributionTransformer>(Assert.Single(loaded));
        Assert.Equal("GradCAM", stage.MethodName);
        var before = fitted.Transform(data).GetColumn<float[]>("GradCAM").ToList();
        Assert.Equal(before, loaded.Transform(data).GetColumn<float[]>("GradCAM"));
        Assert.All(before, m => Assert.Equal(1f, m.Max(Math.Abs), 5));

        // The saved settings matter: the default layer gives other maps.
        var features = _ml.Transforms.GradCam(model, new GradCamAttributionOptions { Normalization = AttributionNormalization.MaxAbs }).Fit(data).Transform(data).GetColumn<float[]>("GradCAM").ToList();
        Assert.NotEqual(before, features);
    }
}
