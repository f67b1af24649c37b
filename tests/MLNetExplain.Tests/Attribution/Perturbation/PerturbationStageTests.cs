using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.ML.Persistence;
using MLNetExplain.Tests.ML.Stages;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Perturbation;

public sealed class PerturbationStageTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly TempDirectory _folder = new();

    static PerturbationStageTests()
    {
        ExplainerModelFileTests.RegisterTestModels();
        ModelArchitectures.Register<SaturatingClassifier>("Tests.SaturatingClassifier", _ => "{}", _ => new SaturatingClassifier(seed: 99));
    }

    public void Dispose() => _folder.Dispose();

    private sealed class Maps
    {
        public float[] Occlusion { get; set; } = [];

        public float[] KernelShap { get; set; } = [];
    }

    private static Tensor Images(List<TinyImage> rows) =>
        tensor(rows.SelectMany(r => r.Features).ToArray(), [rows.Count, TinyImage.Channels, TinyImage.Height, TinyImage.Width]);

    private static List<double[]> PerRow(Tensor maps) => [.. Enumerable.Range(0, (int)maps.shape[0]).Select(i => Values.Of(maps[i]))];

    private static List<double[]> Column(IDataView data, string column) => [.. data.GetColumn<float[]>(column).Select(m => m.Select(v => (double)v).ToArray())];

    /// <summary>
    /// Equal up to float32 rounding: libtorch's float32 linear layer on the CPU can differ in the last bits between
    /// two calls on equal inputs (its BLAS kernels depend on memory alignment), so bit equality is not expected.
    /// </summary>
    private static void Same(List<double[]> expected, List<double[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Values.Near(expected[i], actual[i], 1e-4);
        }
    }

    private List<double[]> SavedAndLoaded(ITransformer fitted, IDataView data, string column)
    {
        var path = _folder.File(column + ".zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);
        using var loaded = _ml.Model.LoadWithExplainers(path, out _);
        return Column(loaded.Transform(data), column);
    }

    [Fact]
    public void OcclusionStageEqualsTheTensorMethodAndSurvivesSaveAndLoad()
    {
        using var scope = NewDisposeScope();
        var model = new LinearClassifier();
        var rows = TinyImages.Rows(10);
        var data = TinyImages.View(_ml, rows);
        var options = new OcclusionAttributionOptions
        {
            TargetColumnName = "Label", BatchSize = 4, Occlusion = new() { WindowSize = 2, Strides = [1], PerturbationsPerEval = 3 },
        };
        var fitted = _ml.Transforms.Occlusion(model, options).Fit(data);
        var column = Column(fitted.Transform(data), "Occlusion");
        var labels = tensor(rows.Select(r => (long)r.Label).ToArray());
        var expected = PerRow(new Occlusion(model, options.Occlusion).Attribute(Images(rows), labels));
        Same(expected, column);

        Same(column, SavedAndLoaded(fitted, data, "Occlusion"));

        // The flat overload explains the predicted class.
        var predicted = tensor(rows.Select(r => (long)model.Predict(r.Features)).ToArray());
        var flat = Column(_ml.Transforms.Occlusion(model, windowSize: 2, stride: 2).Fit(data).Transform(data), "Occlusion");
        var direct = PerRow(new Occlusion(model, new() { WindowSize = 2, Strides = [2] }).Attribute(Images(rows), predicted));
        Same(direct, flat);
    }

    [Fact]
    public void KernelShapStageEqualsTheTensorMethodAtAnyBatchSizeAndSurvivesSaveAndLoad()
    {
        using var scope = NewDisposeScope();
        // Not additive over superpixels, so the map depends on which coalitions were drawn.
        var model = new SaturatingClassifier();
        var rows = TinyImages.Rows(9);
        var data = TinyImages.View(_ml, rows);
        var options = new KernelShapAttributionOptions
        {
            TargetColumnName = "Label", BatchSize = 4, KernelShap = new() { SuperpixelSize = 2, Samples = 12, Seed = 5 },
        };
        var fitted = _ml.Transforms.KernelShap(model, options).Fit(data);
        var column = Column(fitted.Transform(data), "KernelShap");
        var labels = tensor(rows.Select(r => (long)r.Label).ToArray());
        var expected = PerRow(new KernelShap(model, options.KernelShap).Attribute(Images(rows), labels));
        Same(expected, column);
        var reseeded = PerRow(new KernelShap(model, options.KernelShap with { Seed = 6 }).Attribute(Images(rows), labels));
        Assert.Contains(Enumerable.Range(0, rows.Count), i => reseeded[i].Zip(column[i]).Max(p => Math.Abs(p.First - p.Second)) > 1e-3);

        // The draws restart from the seed for every batch and are shared by its images: PredictionEngine (one row
        // per call) gives the batched pass's maps.
        var engine = _ml.Model.CreatePredictionEngine<TinyImage, Maps>(fitted);
        foreach (int i in new[] { 0, 5, 8 })
        {
            Values.Near(column[i], [.. engine.Predict(rows[i]).KernelShap.Select(v => (double)v)], 1e-4);
        }

        Same(column, SavedAndLoaded(fitted, data, "KernelShap"));
    }

    [Fact]
    public void FeatureAblationAndLimeStagesEqualTheTensorMethods()
    {
        using var scope = NewDisposeScope();
        var model = new SaturatingClassifier();
        var rows = TinyImages.Rows(6);
        var data = TinyImages.View(_ml, rows);
        var predicted = AttributionTargets.Predicted(model, Images(rows));

        var ablation = Column(_ml.Transforms.FeatureAblation(model, superpixelSize: 2).Fit(data).Transform(data), "FeatureAblation");
        Same(PerRow(new FeatureAblation(model, new() { SuperpixelSize = 2 }).Attribute(Images(rows), predicted)), ablation);

        var limeOptions = new LimeAttributionOptions { BatchSize = 4, Lime = new() { SuperpixelSize = 2, Samples = 15, Seed = 9 } };
        var lime = Column(_ml.Transforms.Lime(model, limeOptions).Fit(data).Transform(data), "Lime");
        Same(PerRow(new Lime(model, limeOptions.Lime).Attribute(Images(rows), predicted)), lime);
    }

    /// <summary>logits = 3 tanh(W x / 4): saturation couples the pixels, so Shapley estimates depend on the coalitions drawn.</summary>
    private sealed class SaturatingClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear fc;

        public SaturatingClassifier(int seed = 6) : base(nameof(SaturatingClassifier))
        {
            fc = nn.Linear(TinyImage.Size, TinyImage.Classes);
            RegisterComponents();
            using var noGrad = no_grad();
            using var weights = TinyImages.Weights(seed);
            fc.weight!.copy_(weights);
        }

        public override Tensor forward(Tensor input) => 3 * (fc.call(input.flatten(1)) / 4).tanh();
    }
}
