using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Stages;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.ML.Stages;

public class AttributionStageTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class Maps
    {
        public int Id { get; set; }

        public float[] Attribution { get; set; } = [];
    }

    private static float[] Sum(float[] map) =>
        [.. Enumerable.Range(0, TinyImage.Height * TinyImage.Width).Select(p => Enumerable.Range(0, TinyImage.Channels).Sum(c => map[c * TinyImage.Height * TinyImage.Width + p]))];

    private List<float[]> Read(IDataView data, string column) => [.. data.GetColumn<float[]>(column)];

    [Fact]
    public void SaliencyOfALinearModelIsItsWeightRowForThePredictedOrTheLabelledClass()
    {
        var model = new LinearClassifier();
        var rows = TinyImages.Rows(20);
        var data = TinyImages.View(_ml, rows);
        var w = model.Weights();

        var predicted = Read(_ml.Transforms.Saliency(model, absolute: false).Fit(data).Transform(data), "Saliency");
        var labelled = Read(_ml.Transforms.Saliency(model, targetColumnName: "Label", absolute: false).Fit(data).Transform(data), "Saliency");
        var absolute = Read(_ml.Transforms.Saliency(model).Fit(data).Transform(data), "Saliency");

        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(w[model.Predict(rows[i].Features)], predicted[i]);
            Assert.Equal(w[rows[i].Label], labelled[i]);
            Assert.Equal(w[model.Predict(rows[i].Features)].Select(Math.Abs), absolute[i]);
        }

        // Both targets occur, so the test tells them apart.
        Assert.Contains(rows, r => model.Predict(r.Features) != r.Label);
    }

    [Fact]
    public void BatchedMapsEqualSingleRowMapsUnderAnyBatchSizeAndShuffling()
    {
        var model = new LinearClassifier();
        var rows = TinyImages.Rows(45);
        var data = TinyImages.View(_ml, rows);
        var smooth = new SmoothGradAttributionOptions
        {
            OutputColumnName = "Attribution", SmoothGrad = new SmoothGradOptions { Samples = 4, Seed = 7 }, TargetColumnName = "Label",
        };
        // A stage over real Saliency: batch 64 (one batch), 7 (short last batch) and 1 (row by row) agree.
        var maps = new[] { 64, 7, 1 }.Select(b => Read(_ml.Transforms.Saliency(model, new SaliencyAttributionOptions { BatchSize = b, OutputColumnName = "A" })
            .Fit(data).Transform(data), "A")).ToList();
        Assert.Equal(maps[0], maps[1]);
        Assert.Equal(maps[0], maps[2]);

        // Shuffled: each row's map is the one computed for it in order.
        var output = _ml.Transforms.Saliency(model, new SaliencyAttributionOptions { BatchSize = 8, OutputColumnName = "A" }).Fit(data).Transform(data);
        using var cursor = output.GetRowCursor(output.Schema, new Random(3));
        var id = cursor.GetGetter<int>(output.Schema["Id"]);
        var map = cursor.GetGetter<VBuffer<float>>(output.Schema["A"]);
        var order = new List<int>();
        while (cursor.MoveNext())
        {
            int i = 0;
            VBuffer<float> value = default;
            id(ref i);
            map(ref value);
            Assert.Equal(maps[0][i], value.DenseValues().ToArray());
            order.Add(i);
        }

        Assert.NotEqual(Enumerable.Range(0, rows.Count), order);

        // SmoothGrad of a model whose gradient feels the noise repeats per pass for its seed (each cursor
        // restarts the noise), and another seed changes it.
        var quadratic = new QuadraticClassifier();
        var transformed = _ml.Transforms.SmoothGrad(quadratic, smooth).Fit(data).Transform(data);
        var first = Read(transformed, "Attribution");
        Assert.Equal(first, Read(transformed, "Attribution"));
        var reseeded = _ml.Transforms.SmoothGrad(quadratic, smooth with { SmoothGrad = smooth.SmoothGrad with { Seed = 8 } }).Fit(data).Transform(data);
        Assert.NotEqual(first, Read(reseeded, "Attribution"));

        // ... and neither BatchSize nor a row's batch changes its map (rows after the first batch included).
        foreach (var batchSize in new[] { 7, 1 })
        {
            var rebatched = _ml.Transforms.SmoothGrad(quadratic, smooth with { BatchSize = batchSize }).Fit(data).Transform(data);
            Assert.Equal(first, Read(rebatched, "Attribution"));
        }
    }

    [Fact]
    public void TheModelRunsOnlyWhenTheColumnIsReadOncePerBatch()
    {
        var model = new LinearClassifier();
        var method = new LinearGradient(model);
        var data = TinyImages.View(_ml, 300);
        var output = _ml.Transforms.Attribution(method, model, new AttributionOptions { BatchSize = 64 }).Fit(data).Transform(data);

        Assert.Equal(300, output.GetColumn<int>("Id").Count());
        Assert.Equal(0, method.Calls);

        var maps = Read(output, "Attribution");
        Assert.Equal(5, method.Calls);
        Assert.Equal([64, 64, 64, 64, 44], method.BatchSizes);
        var w = model.Weights();
        var rows = TinyImages.Rows(300);
        Assert.All(Enumerable.Range(0, 300), i => Assert.Equal(w[model.Predict(rows[i].Features)], maps[i]));
    }

    [Fact]
    public void PostProcessingReducesChannelsAndNormalises()
    {
        var model = new LinearClassifier();
        var rows = TinyImages.Rows(6);
        var data = TinyImages.View(_ml, rows);
        var w = model.Weights();
        var output = _ml.Transforms.Saliency(model, new SaliencyAttributionOptions
        {
            Absolute = false, TargetColumnName = "Label", Reduction = ChannelReduction.Sum, Normalization = AttributionNormalization.MaxAbs,
        }).Fit(data).Transform(data);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, TinyImage.Height, TinyImage.Width), output.Schema["Saliency"].Type);
        Assert.Equal([1, TinyImage.Height, TinyImage.Width], output.Schema["Saliency"].GetImageShape()!);
        var maps = Read(output, "Saliency");
        for (var i = 0; i < rows.Count; i++)
        {
            var sum = Sum(w[rows[i].Label]);
            var scale = sum.Max(Math.Abs);
            Assert.Equal(sum.Select(v => v / scale), maps[i], (a, b) => Math.Abs(a - b) < 1e-6);
            Assert.Equal(1f, maps[i].Max(Math.Abs), 6);
        }
    }

    [Fact]
    public void RobustAttributionFollowsSeed001Defaults()
    {
        var model = new LinearClassifier();
        var rows = TinyImages.Rows(5);
        var data = TinyImages.View(_ml, rows);
        var output = _ml.Transforms.RobustAttribution(model, samples: 3, seed: 2).Fit(data).Transform(data);
        var maps = Read(output, "RobustAttribution");
        var w = model.Weights();
        for (var i = 0; i < rows.Count; i++)
        {
            // A linear model's gradient does not depend on the noise: |W[label]| summed over channels, max 1.
            var expected = Sum([.. w[rows[i].Label].Select(Math.Abs)]);
            var scale = expected.Max();
            Assert.Equal(expected.Select(v => v / scale), maps[i], (a, b) => Math.Abs(a - b) < 1e-6);
        }

        // Without a label column the chain fails before anything runs, naming the column.
        var unlabelled = _ml.Data.LoadFromEnumerable(rows.Select(r => new UnlabelledImage { Features = r.Features }).ToList());
        var pipeline = _ml.Transforms.RobustAttribution(model).Append(_ml.Transforms.Concatenate("Both", "RobustAttribution", "RobustAttribution"));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Fit(unlabelled));
        Assert.Contains("'Label'", ex.Message);
    }

    [Fact]
    public void ChainFitFailsOnAWrongImageColumnBeforeTraining()
    {
        var model = new LinearClassifier();
        var method = new LinearGradient(model);
        var data = TinyImages.View(_ml, 4);
        var pipeline = _ml.Transforms.Attribution(method, model, inputColumnName: "Pixels")
            .Append(_ml.Transforms.Concatenate("Features", "Attribution"))
            .Append(_ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Fit(data));
        Assert.Contains("'Pixels'", ex.Message);
        Assert.Contains("[C, H, W]", ex.Message);
        Assert.Equal(0, method.Calls);
    }

    [Fact]
    public void PredictionEngineExplainsOneImagePerCallAndATrainerFitsAfterTheStage()
    {
        var model = new LinearClassifier();
        var method = new LinearGradient(model);
        var rows = TinyImages.Rows(30);
        var data = TinyImages.View(_ml, rows);
        var fitted = _ml.Transforms.Attribution(method, model, targetColumnName: "Label")
            .Append(_ml.Transforms.Concatenate("Features", "Attribution"))
            .AppendCacheCheckpoint(_ml)
            .Append(_ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features", maximumNumberOfIterations: 5))
            .Fit(data);
        var callsAfterFit = method.Calls;
        Assert.True(callsAfterFit > 0);

        var engine = _ml.Model.CreatePredictionEngine<TinyImage, Maps>(fitted);
        var w = model.Weights();
        foreach (var row in rows.Take(3))
        {
            var prediction = engine.Predict(row);
            Assert.Equal(row.Id, prediction.Id);
            Assert.Equal(w[row.Label], prediction.Attribution);
        }

        Assert.Equal(callsAfterFit + 3, method.Calls);
        Assert.All(method.BatchSizes.Skip(callsAfterFit), n => Assert.Equal(1, n));
    }

    [Fact]
    public void MLNetSaveRefusesTheStageNamingSaveWithExplainers()
    {
        var model = new LinearClassifier();
        var data = TinyImages.View(_ml, 2);
        var fitted = _ml.Transforms.Saliency(model).Fit(data);
        using var stream = new MemoryStream();
        var ex = Assert.Throws<NotSupportedException>(() => _ml.Model.Save(fitted, data.Schema, stream));
        Assert.Contains("SaveWithExplainers", ex.Message);
    }

    [Fact]
    public void ProgressReportsRowsPerBatch()
    {
        var model = new LinearClassifier();
        var data = TinyImages.View(_ml, 10);
        var reports = new List<long>();
        var output = _ml.Transforms.Saliency(model, new SaliencyAttributionOptions { BatchSize = 4, Progress = new SynchronousProgress(reports) })
            .Fit(data).Transform(data);
        _ = Read(output, "Saliency");
        Assert.Equal([4, 8, 10], reports);
    }

    private sealed class UnlabelledImage
    {
        [VectorType(TinyImage.Channels, TinyImage.Height, TinyImage.Width)]
        public float[] Features { get; set; } = [];
    }

    private sealed class SynchronousProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
