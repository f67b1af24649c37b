using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.ML.Stages;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.LearnedPropagationRules;

/// <summary>conv - ReLU - conv - ReLU - linear over <see cref="TinyImage"/>s with fixed weights from a seed.</summary>
internal sealed class TwoReLUTinyClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(TinyImage.Channels, 3, 3, padding: 1);
    private readonly ReLU relu1 = nn.ReLU();
    private readonly Conv2d conv2 = nn.Conv2d(3, 4, 3, padding: 1);
    private readonly ReLU relu2 = nn.ReLU(inplace: true);
    private readonly Linear fc = nn.Linear(4 * TinyImage.Height * TinyImage.Width, TinyImage.Classes);

    public TwoReLUTinyClassifier(int seed = 4) : base(nameof(TwoReLUTinyClassifier))
    {
        RegisterComponents();
        var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var p in parameters())
        {
            p.copy_(rand(p.shape, generator: generator) - 0.5);
        }
    }

    public override Tensor forward(Tensor input) => fc.call(relu2.call(conv2.call(relu1.call(conv1.call(input)))).flatten(1));
}

public sealed class LearnedPropagationStageTests : IDisposable
{
    private static readonly LearnedPropagationOptions Few = new() { Steps = 4, MaskWeight = 0.2 };

    private readonly MLContext _ml = new(seed: 1);
    private readonly TempDirectory _folder = new();

    // Rebuilt with other weights, so equal maps after loading show that the weights came from the file.
    static LearnedPropagationStageTests() =>
        ModelArchitectures.Register<TwoReLUTinyClassifier>("Tests.LearnedPropagation.TwoReLUTinyClassifier", _ => "{}", _ => new TwoReLUTinyClassifier(seed: 99));

    public void Dispose() => _folder.Dispose();

    private static List<TinyImage> Rows(int count)
    {
        var rows = TinyImages.Rows(count);
        foreach (var r in rows)
        {
            // Pixels centred on 0 so that the ReLUs see both signs.
            r.Features = [.. r.Features.Select(v => v - r.Id - 0.5f)];
        }

        return rows;
    }

    private static List<float[]> Read(IDataView data, string column) => [.. data.GetColumn<float[]>(column)];

    [Fact]
    public void TheStageEqualsTheTensorApi()
    {
        using var scope = NewDisposeScope();
        var model = new TwoReLUTinyClassifier();
        var rows = Rows(7);
        var data = TinyImages.View(_ml, rows);
        var images = tensor(rows.SelectMany(r => r.Features).ToArray(), [rows.Count, TinyImage.Channels, TinyImage.Height, TinyImage.Width]);
        var labels = tensor(rows.Select(r => (long)r.Label).ToArray());
        var expected = new LearnedPropagation(model, Few).Attribute(images, labels).flatten(1);
        var actual = Read(_ml.Transforms.LearnedPropagation(model, new LearnedPropagationAttributionOptions
        {
            TargetColumnName = "Label", BatchSize = 3, LearnedPropagation = Few,
        }).Fit(data).Transform(data), "LearnedPropagation");
        Assert.Equal(rows.Count, actual.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var row = expected[i].data<float>().ToArray();
            double scale = row.Max(Math.Abs);
            Assert.True(scale > 1e-4, $"row {i} vanishes");
            Assert.All(row.Zip(actual[i]), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-5 * scale, $"row {i}: {p.First} vs {p.Second}"));
        }
    }

    [Fact]
    public void SaveWithExplainersRoundTripsTheStage()
    {
        var data = TinyImages.View(_ml, Rows(5));
        var model = new TwoReLUTinyClassifier();
        var fitted = _ml.Transforms.LearnedPropagation(model, targetColumnName: "Label", steps: 3, learningRate: 0.1).Fit(data);
        var path = _folder.File("learned-propagation.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);

        using var loaded = _ml.Model.LoadWithExplainers(path, out _);
        var before = Read(fitted.Transform(data), "LearnedPropagation");
        Assert.Equal(before, Read(loaded.Transform(data), "LearnedPropagation"));
        Assert.Contains(before, row => row.Any(v => v != 0));
    }

    [Fact]
    public void TheStageRejectsBadOptions()
    {
        var error = Assert.Throws<ArgumentException>(() => _ml.Transforms.LearnedPropagation(new TwoReLUTinyClassifier(), steps: 0));
        Assert.Contains("Steps", error.Message);
    }
}
