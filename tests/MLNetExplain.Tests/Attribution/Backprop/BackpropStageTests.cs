using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.ML.Stages;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Backprop;

public sealed class BackpropStageTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly TempDirectory _folder = new();

    // Rebuilt with other weights, so equal maps after loading show that the weights came from the file.
    static BackpropStageTests() =>
        ModelArchitectures.Register<PooledTinyClassifier>("Tests.Backprop.PooledTinyClassifier", _ => "{}", _ => new PooledTinyClassifier(seed: 99));

    public void Dispose() => _folder.Dispose();

    private static (Tensor Images, Tensor Labels) Batch(List<TinyImage> rows) =>
        (tensor(rows.SelectMany(r => r.Features).ToArray(), [rows.Count, TinyImage.Channels, TinyImage.Height, TinyImage.Width]),
         tensor(rows.Select(r => (long)r.Label).ToArray()));

    private static List<float[]> Read(IDataView data, string column) => [.. data.GetColumn<float[]>(column)];

    private static void AssertClose(Tensor expected, List<float[]> actual, string what)
    {
        var e = expected.flatten(1);
        Assert.Equal(e.shape[0], actual.Count);
        for (int i = 0; i < actual.Count; i++)
        {
            var row = e[i].data<float>().ToArray();
            double scale = row.Max(Math.Abs);
            Assert.True(scale > 1e-4, $"{what}: row {i} vanishes");
            Assert.All(row.Zip(actual[i]), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-6 * scale, $"{what}: row {i} differs ({p.First} vs {p.Second})"));
        }
    }

    [Fact]
    public void StagesEqualTheTensorApiForTheLabelledClass()
    {
        using var scope = NewDisposeScope();
        var model = new PooledTinyClassifier();
        var rows = TinyImages.Rows(12);
        foreach (var r in rows)
        {
            // Pixels centred on 0 so that ReLUs and max-pool windows take both sides.
            r.Features = [.. r.Features.Select(v => v - r.Id - 0.5f)];
        }

        var data = TinyImages.View(_ml, rows);
        var (images, labels) = Batch(rows);
        var options = new DeepLiftOptions { BaselineValue = 0.25 };
        AssertClose(new DeepLift(model, options).Attribute(images, labels),
            Read(_ml.Transforms.DeepLift(model, targetColumnName: "Label", baselineValue: 0.25).Fit(data).Transform(data), "DeepLift"), "DeepLift");
        AssertClose(new DeepLift(model, new DeepLiftOptions { MultiplyByInputs = false }).Attribute(images, labels),
            Read(_ml.Transforms.DeepLift(model, new DeepLiftAttributionOptions
            {
                TargetColumnName = "Label", BatchSize = 5, DeepLift = new DeepLiftOptions { MultiplyByInputs = false },
            }).Fit(data).Transform(data), "DeepLift"), "DeepLift multipliers");
        AssertClose(new GuidedBackprop(model).Attribute(images, labels),
            Read(_ml.Transforms.GuidedBackprop(model, targetColumnName: "Label").Fit(data).Transform(data), "GuidedBackprop"), "GuidedBackprop");
        AssertClose(new Deconvolution(model).Attribute(images, labels),
            Read(_ml.Transforms.Deconvolution(model, targetColumnName: "Label").Fit(data).Transform(data), "Deconvolution"), "Deconvolution");
    }

    [Fact]
    public void SaveWithExplainersRoundTripsTheStages()
    {
        var rows = TinyImages.Rows(7);
        var data = TinyImages.View(_ml, rows);
        var model = new PooledTinyClassifier();
        var fitted = _ml.Transforms.DeepLift(model, targetColumnName: "Label", baselineValue: 0.5)
            .Append(_ml.Transforms.GuidedBackprop(model))
            .Append(_ml.Transforms.Deconvolution(model, new DeconvolutionAttributionOptions { Absolute = true, Reduction = ChannelReduction.Sum }))
            .Fit(data);
        var path = _folder.File("backprop.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);

        using var loaded = _ml.Model.LoadWithExplainers(path, out _);
        var before = fitted.Transform(data);
        var after = loaded.Transform(data);
        foreach (var column in new[] { "DeepLift", "GuidedBackprop", "Deconvolution" })
        {
            Assert.Equal(Read(before, column), Read(after, column));
        }

        Assert.Equal(TinyImage.Height * TinyImage.Width, Read(after, "Deconvolution")[0].Length);
    }
}
