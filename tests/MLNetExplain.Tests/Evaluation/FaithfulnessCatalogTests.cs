using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.Evaluation;
using MLNetExplain.ML.Evaluation;
using MLNetExplain.ML.Stages;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

/// <summary>The ML.NET entry points read the same rows the tensor API gets and return its results.</summary>
public sealed class FaithfulnessCatalogTests
{
    private readonly MLContext _ml = new(seed: 1);

    public sealed class Row
    {
        [VectorType(1, 4, 4)]
        public float[] Features { get; set; } = [];

        [VectorType(1, 4, 4)]
        public float[] Attribution { get; set; } = [];

        [KeyType(3)]
        public uint Label { get; set; }
    }

    public sealed class PatchRow
    {
        [VectorType(1, PatchImages.Size, PatchImages.Size)]
        public float[] Features { get; set; } = [];

        [VectorType(1, PatchImages.Size, PatchImages.Size)]
        public float[] Saliency { get; set; } = [];

        [KeyType(PatchImages.Classes)]
        public uint Label { get; set; }
    }

    private static (List<Row> Rows, Tensor Images, Tensor Maps, Tensor Labels) Data(int count)
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, count).Select(i => new Row
        {
            Features = [.. Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble())],
            Attribution = [.. Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() - 0.3f)],
            Label = (uint)(i % 3),
        }).ToList();
        return (rows, tensor(rows.SelectMany(r => r.Features).ToArray(), [count, 1, 4, 4]), tensor(rows.SelectMany(r => r.Attribution).ToArray(), [count, 1, 4, 4]),
            tensor(rows.Select(r => (long)r.Label).ToArray()));
    }

    [Fact]
    public void CurvesAndRobustnessMetricsEqualTheTensorApiOnTheSameRows()
    {
        using var scope = NewDisposeScope();
        using var model = new FlatLinear(dtype: ScalarType.Float32);
        var (rows, images, maps, labels) = Data(12);
        var view = _ml.Data.LoadFromEnumerable(rows);
        var catalog = _ml.MulticlassClassification;

        var deletion = new DeletionCurveOptions { Steps = 4 };
        Assert.Equal(DeletionCurve.Compute(model, images, maps, deletion).Curve, catalog.EvaluateDeletion(model, view, options: deletion).Curve);
        var region = new RegionPerturbationOptions { PatchSize = 2 };
        Assert.Equal(RegionPerturbation.Compute(model, images, maps, labels, region).Curve,
            catalog.EvaluateRegionPerturbation(model, view, labelColumnName: "Label", options: region).Curve);
        Assert.Equal(RegionPerturbation.Compute(model, images, maps, null, region).Curve, catalog.EvaluateRegionPerturbation(model, view, options: region).Curve);

        var saliency = new Saliency(model, absolute: false);
        var sensitivity = new MaxSensitivityOptions { Samples = 3 };
        Assert.Equal(MaxSensitivity.Compute(model, saliency, images, labels, sensitivity).Values,
            catalog.EvaluateMaxSensitivity(model, saliency, view, labelColumnName: "Label", options: sensitivity).Values);
        var mprt = new ModelRandomizationOptions { SsimWindowSize = 3 };
        Assert.Equal(ModelRandomization.Compute(model, saliency, images, AttributionTargets.Predicted(model, images), mprt).Layers[0].Spearman,
            catalog.EvaluateModelRandomization(model, saliency, view, options: mprt).Layers[0].Spearman);
        var exact = new FormulaAttribution((x, t, b) => (x - (b ?? zeros_like(x))) * model.Weight.index_select(0, t).view(-1, 1, 4, 4));
        var completeness = catalog.EvaluateCompleteness(model, exact, view, labelColumnName: "Label");
        Assert.Equal(CompletenessError.Compute(model, exact, images, labels).Absolute, completeness.Absolute);
        Assert.True(completeness.MeanAbsolute < 1e-4);
    }

    [Fact]
    public void AnAttributionStagesColumnFeedsTheEvaluation()
    {
        using var scope = NewDisposeScope();
        using var model = new FlatLinear(dtype: ScalarType.Float32);
        var (rows, images, _, _) = Data(10);
        var view = _ml.Data.LoadFromEnumerable(rows);
        var maps = _ml.Transforms.Saliency(model, outputColumnName: "Map").Fit(view).Transform(view);
        var expected = DeletionCurve.Compute(model, images, new Saliency(model).Attribute(images, AttributionTargets.Predicted(model, images)));
        Assert.Equal(expected.Curve, _ml.MulticlassClassification.EvaluateDeletion(model, maps, attributionColumnName: "Map").Curve);
    }

    [Fact]
    public void RoarReadsEachAttributionColumnAsARanking()
    {
        using var scope = NewDisposeScope();
        var data = PatchImages.Dataset(train: 160, test: 80);
        using var model = PixelLinear.Trained(data.TrainImages, data.TrainLabels, seed: 5);
        var saliency = new Saliency(model);
        var trainMaps = saliency.Attribute(data.TrainImages, data.TrainLabels);
        var testMaps = saliency.Attribute(data.TestImages, data.TestLabels);
        IDataView View(Tensor images, Tensor maps, Tensor labels) => _ml.Data.LoadFromEnumerable(Enumerable.Range(0, (int)images.shape[0]).Select(i => new PatchRow
        {
            Features = images[i].flatten().data<float>().ToArray(),
            Saliency = maps[i].flatten().data<float>().ToArray(),
            Label = (uint)labels[i].item<long>(),
        }).ToList());
        var options = new RoarOptions { Ratios = [0.3], Modes = [RoarMode.Roar], Seeds = [0], IncludeUnmodified = false };
        var viaView = _ml.MulticlassClassification.EvaluateRoar(View(data.TrainImages, trainMaps, data.TrainLabels), View(data.TestImages, testMaps, data.TestLabels),
            new PixelLinearTrainer(), ["Saliency"], randomSeed: 2, options: options);
        var viaTensors = new RoarEvaluator(new PixelLinearTrainer(), options).Evaluate(data,
            [RoarAttributions.Precomputed("Saliency", trainMaps, testMaps), RoarAttributions.Random(2)]);
        Assert.Equal(viaTensors.Points.Select(p => (p.Method, p.Mean)), viaView.Points.Select(p => (p.Method, p.Mean)));
        Assert.True(viaView["Saliency", RoarMode.Roar, 0.3].Mean < viaView["Random", RoarMode.Roar, 0.3].Mean);
    }

    [Fact]
    public void WrongColumnsAreNamed()
    {
        using var model = new FlatLinear(dtype: ScalarType.Float32);
        var view = _ml.Data.LoadFromEnumerable(Data(2).Rows);
        var missing = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.EvaluateDeletion(model, view, attributionColumnName: "Maps"));
        Assert.Contains("'Maps'", missing.Message);
        var notKey = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.EvaluateRegionPerturbation(model, view, labelColumnName: "Features"));
        Assert.Contains("'Features'", notKey.Message);
    }
}
