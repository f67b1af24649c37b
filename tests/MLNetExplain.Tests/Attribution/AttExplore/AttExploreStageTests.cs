using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.ML.Persistence;
using MLNetExplain.Tests.ML.Stages;
using static TorchSharp.torch;
using AttExploreMethod = MLNetExplain.Attribution.AttExplore;

namespace MLNetExplain.Tests.Attribution.AttExplore;

public sealed class AttExploreStageTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly TempDirectory _folder = new();

    static AttExploreStageTests() => ExplainerModelFileTests.RegisterTestModels();

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
            Assert.Equal(row, maps[i], (a, b) => Math.Abs(a - b) <= 1e-5f * scale);
        }
    }

    [Fact]
    public void TheStageEqualsTheTensorApi()
    {
        using var scope = NewDisposeScope();
        var model = new QuadraticClassifier();
        var rows = TinyImages.Rows(8);
        var data = TinyImages.View(_ml, rows);
        var (x, labels) = Tensors(rows);
        // The tiny images hold values up to 8: a box around them keeps the path from clipping everything.
        var options = new AttExploreOptions { Steps = 3, Samples = 2, Epsilon = 0.2, MinValue = -1, MaxValue = 10, Seed = 3 };
        var stage = _ml.Transforms.AttExplore(model, new AttExploreAttributionOptions { TargetColumnName = "Label", AttExplore = options })
            .Fit(data).Transform(data).GetColumn<float[]>("AttEXplore").ToList();
        using (var expected = new AttExploreMethod(model, options))
        {
            AssertRowsEqual(expected.Attribute(x, labels), stage);
        }

        // The flat overload explains the predicted class with the default box [0, 1].
        var flat = _ml.Transforms.AttExplore(model, steps: 2, samples: 2, seed: 4).Fit(data).Transform(data).GetColumn<float[]>("AttEXplore").ToList();
        using (var expected = new AttExploreMethod(model, new AttExploreOptions { Steps = 2, Samples = 2, Seed = 4 }))
        {
            AssertRowsEqual(expected.Attribute(x, AttributionTargets.Predicted(model, x)), flat);
        }

        var ex = Assert.Throws<ArgumentException>(() => _ml.Transforms.AttExplore(model, steps: 0));
        Assert.Contains("Steps", ex.Message);
    }

    [Fact]
    public void TheStageRoundTripsThroughSaveWithExplainers()
    {
        var rows = TinyImages.Rows(6);
        var data = TinyImages.View(_ml, rows);
        var fitted = _ml.Transforms.AttExplore(new QuadraticClassifier(), new AttExploreAttributionOptions
            {
                TargetColumnName = "Label", Reduction = ChannelReduction.Sum,
                AttExplore = new AttExploreOptions { Steps = 2, Samples = 3, MinValue = -1, MaxValue = 10, ReferenceCompatible = true, Seed = 5 },
            })
            .Append(_ml.Transforms.AttExplore(new QuadraticClassifier(), outputColumnName: "Explored", steps: 2, samples: 2, seed: 6))
            .Fit(data);
        var path = _folder.File("attexplore.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);
        using var loaded = _ml.Model.LoadWithExplainers(path, out _);

        var before = fitted.Transform(data);
        var after = loaded.Transform(data);
        foreach (var column in new[] { "AttEXplore", "Explored" })
        {
            var expected = before.GetColumn<float[]>(column).ToList();
            var actual = after.GetColumn<float[]>(column).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                float scale = expected[i].Max(Math.Abs);
                Assert.True(scale > 0);
                Assert.Equal(expected[i], actual[i], (a, b) => Math.Abs(a - b) <= 1e-5f * scale);
            }
        }
    }
}
