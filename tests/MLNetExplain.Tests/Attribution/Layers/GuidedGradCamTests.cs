using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Layers;

public sealed class GuidedGradCamTests : IDisposable
{
    private const int Channels = 2, Size = 8, Classes = 4;
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private sealed class ImageRow
    {
        [VectorType(Channels, Size, Size)]
        public float[] Features { get; set; } = [];

        [KeyType(Classes)]
        public uint Label { get; set; }
    }

    [Fact]
    public void IsGuidedBackpropTimesTheReluGradCamMapBroadcastOverChannels()
    {
        using var scope = NewDisposeScope();
        var spec = ClassifierSpec.SmallCnn(numClasses: Classes, inputChannels: Channels, width: 4);
        using var model = spec.Build(new Generator(7));
        var x = rand([3, Channels, Size, Size], generator: new Generator(8));
        var targets = tensor(new long[] { 1, 0, 3 });

        var maps = new GuidedGradCam(model, new GradCamOptions { Layer = "conv2" }).Attribute(x, targets);
        var guided = new GuidedBackprop(model).Attribute(x, targets);
        var cam = new GradCam(model, new GradCamOptions { Layer = "conv2", ReluAttributions = true }).Attribute(x, targets);

        Assert.Equal(x.shape, maps.shape);
        Assert.True(maps.allclose(guided * cam, 0, 1e-7), $"max error {(maps - guided * cam).abs().max().item<float>():G3}");
        // Captum's GuidedGradCam applies ReLU to the Grad-CAM factor: where the plain map is negative the product is 0.
        var plain = new GradCam(model, new GradCamOptions { Layer = "conv2" }).Attribute(x, targets);
        Assert.True(plain.lt(0).any().item<bool>(), "the plain Grad-CAM map should have negative cells for this check to mean something");
        Assert.True(maps.masked_select(plain.lt(0).expand_as(maps)).eq(0).all().item<bool>());

        // Batch invariance: each image alone gives its row.
        for (int i = 0; i < 3; i++)
        {
            var alone = new GuidedGradCam(model, new GradCamOptions { Layer = "conv2" }).Attribute(x.narrow(0, i, 1), targets.narrow(0, i, 1));
            Assert.True(alone.allclose(maps.narrow(0, i, 1), 1e-5, 1e-7));
        }

        Assert.Throws<ArgumentException>(() => new GuidedGradCam(model, new GradCamOptions { Upsample = GradCamUpsampling.None }));
    }

    [Fact]
    public void StageEqualsTheTensorApiAndRoundTripsSaveWithExplainers()
    {
        var spec = ClassifierSpec.SmallCnn(numClasses: Classes, inputChannels: Channels, width: 4);
        var model = spec.Build(new Generator(6));
        ModelArchitectures.Register(model, spec);
        var random = new Random(4);
        var rows = Enumerable.Range(0, 7).Select(i => new ImageRow
        {
            Features = [.. Enumerable.Range(0, Channels * Size * Size).Select(_ => (float)random.NextDouble())],
            Label = (uint)(i % Classes),
        }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);

        var transformer = ml.Transforms.GuidedGradCam(model, targetColumnName: "Label").Fit(data);
        var maps = transformer.Transform(data).GetColumn<float[]>("GuidedGradCAM").ToList();
        using (var scope = NewDisposeScope())
        {
            var x = tensor(rows.SelectMany(r => r.Features).ToArray(), [rows.Count, Channels, Size, Size]);
            var expected = new GuidedGradCam(model).Attribute(x, tensor(rows.Select(r => (long)r.Label).ToArray()));
            for (int i = 0; i < rows.Count; i++)
            {
                Assert.Equal(expected[i].flatten().data<float>().ToArray(), maps[i], (a, b) => Math.Abs(a - b) <= 1e-5f * (1 + Math.Abs(b)));
            }
        }

        Assert.Contains(maps, m => m.Any(v => v != 0));
        var path = Path.Combine(_folder.Path, "guided.zip");
        ml.Model.SaveWithExplainers(transformer, data.Schema, path);
        using var loaded = ml.Model.LoadWithExplainers(path, out _);
        var reloaded = loaded.Transform(data).GetColumn<float[]>("GuidedGradCAM").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(maps[i], reloaded[i], (a, b) => Math.Abs(a - b) <= 1e-5f * (1 + Math.Abs(b)));
        }
    }
}
