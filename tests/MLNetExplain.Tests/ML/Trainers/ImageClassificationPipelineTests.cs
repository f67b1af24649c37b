using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Data;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.ML.Trainers;
using MLNetExplain.Models;
using MLNetExplain.Training;

namespace MLNetExplain.Tests.ML.Trainers;

/// <summary>
/// An ML.NET user's pipeline end to end on real Fashion-MNIST: our loader, our trainer, ML.NET's evaluator and
/// key-to-value mapping, our attribution stage, PredictionEngine, and saving and reloading the whole chain.
/// </summary>
public sealed class ImageClassificationPipelineTests : IClassFixture<ImageClassificationPipelineTests.Trained>
{
    /// <summary>One small classifier trained once for the class (about 20 s on 2 cores).</summary>
    public sealed class Trained : IDisposable
    {
        public Trained()
        {
            Context = new MLContext(seed: 1);
            Train = Context.Data.TakeRows(Context.Data.LoadFashionMnist(DatasetSplit.Train), 4000);
            Test = Context.Data.TakeRows(Context.Data.LoadFashionMnist(DatasetSplit.Test), 1000);
            Model = Context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
            {
                Model = ClassifierSpec.SmallCnn(10, 1, 8).WithNormalization([0.286f], [0.353f]),
                Epochs = 2, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Seed = 3,
            }).Fit(Train);
        }

        public MLContext Context { get; }

        public IDataView Train { get; }

        public IDataView Test { get; }

        public ImageClassificationTransformer Model { get; }

        public void Dispose() => Model.Dispose();
    }

    private readonly Trained _t;

    public ImageClassificationPipelineTests(Trained trained) => _t = trained;

    private sealed class Row
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }

        public float[] Saliency { get; set; } = [];

        public string PredictedClass { get; set; } = "";
    }

    [Fact]
    public void LearnsAndEvaluatesWithMLNetsEvaluator()
    {
        var scored = _t.Model.Transform(_t.Test);
        var metrics = _t.Context.MulticlassClassification.Evaluate(scored);
        // A small CNN reaches ~80% after two epochs on 4000 images; chance is 10%.
        Assert.InRange(metrics.MicroAccuracy, 0.65, 1.0);
        Assert.True(metrics.LogLoss < 1.2, $"log-loss {metrics.LogLoss}");

        var score = scored.Schema["Score"];
        Assert.Equal(10, ((VectorDataViewType)score.Type).Size);
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        score.GetSlotNames(ref slotNames);
        Assert.Equal(FashionMnist.ClassNames, slotNames.DenseValues().Select(v => v.ToString()));
        Assert.Equal(new KeyDataViewType(typeof(uint), 10), scored.Schema["PredictedLabel"].Type);
    }

    [Fact]
    public void MapKeyToValueGivesClassNamesAndScoresAreProbabilities()
    {
        var mapped = _t.Context.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel")
            .Fit(_t.Model.Transform(_t.Test)).Transform(_t.Model.Transform(_t.Test));
        var names = mapped.GetColumn<string>("PredictedClass").Take(50).ToList();
        Assert.All(names, n => Assert.Contains(n, FashionMnist.ClassNames));
        var scores = mapped.GetColumn<float[]>("Score").Take(50).ToList();
        var predicted = mapped.GetColumn<uint>("PredictedLabel").Take(50).ToList();
        for (int i = 0; i < scores.Count; i++)
        {
            Assert.Equal(1.0, scores[i].Sum(), 4);
            Assert.Equal(Array.IndexOf(scores[i], scores[i].Max()) + 1, (int)predicted[i]);
        }
    }

    [Fact]
    public void BatchedScoringEqualsPredictionEngineAndSurvivesSaveAndReload()
    {
        var context = _t.Context;
        // ML.NET's own stage after ours: the saved file holds both kinds.
        var scored = _t.Model.Transform(_t.Test);
        var saliency = context.Transforms.Saliency(_t.Model.Model, outputColumnName: "Saliency").Fit(scored);
        var mapping = context.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel").Fit(saliency.Transform(scored));
        var pipeline = new TransformerChain<ITransformer>(_t.Model, saliency, mapping);
        var rows = context.Data.CreateEnumerable<Row>(context.Data.TakeRows(_t.Test, 5), reuseRowObject: false).ToList();

        var batched = pipeline.Transform(context.Data.LoadFromEnumerable(rows));
        var batchedScores = batched.GetColumn<float[]>("Score").ToList();
        var batchedMaps = batched.GetColumn<float[]>("Saliency").ToList();
        using var engine = context.Model.CreatePredictionEngine<Row, Prediction>(pipeline);
        for (int i = 0; i < rows.Count; i++)
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(batchedScores[i], p.Score, new FloatTolerance(1e-5f));
            Assert.Equal(batchedMaps[i], p.Saliency, new FloatTolerance(1e-5f));
            Assert.Equal(FashionMnist.ClassNames[(int)p.PredictedLabel - 1], p.PredictedClass);
        }

        string path = Path.Combine(Path.GetTempPath(), $"mlnetexplain-pipeline-{Guid.NewGuid():N}.zip");
        try
        {
            context.Model.SaveWithExplainers(pipeline, context.Data.LoadFromEnumerable(rows).Schema, path);
            var reloaded = context.Model.LoadWithExplainers(path, out var schema);
            Assert.NotNull(schema.GetColumnOrNull("Features"));
            var again = reloaded.Transform(context.Data.LoadFromEnumerable(rows));
            Assert.Equal(batchedScores, again.GetColumn<float[]>("Score").ToList());
            Assert.Equal(batchedMaps, again.GetColumn<float[]>("Saliency").ToList());
            Assert.Equal(batched.GetColumn<string>("PredictedClass"), again.GetColumn<string>("PredictedClass"));
            using var reloadedEngine = context.Model.CreatePredictionEngine<Row, Prediction>(reloaded);
            Assert.Equal(batchedMaps[0], reloadedEngine.Predict(rows[0]).Saliency, new FloatTolerance(1e-5f));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WrongColumnsFailBeforeTraining()
    {
        var context = _t.Context;
        var wrongLabel = context.MulticlassClassification.Trainers.ImageClassification(labelColumnName: "Missing");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => wrongLabel.GetOutputSchema(SchemaShapes.Of(_t.Train.Schema)));
        Assert.Contains("'Missing'", ex.Message);
        var wrongFeatures = context.MulticlassClassification.Trainers.ImageClassification(featureColumnName: "Label");
        Assert.ThrowsAny<ArgumentException>(() => wrongFeatures.Fit(_t.Train));
        var wrongSpec = context.MulticlassClassification.Trainers.ImageClassification(model: ClassifierSpec.SmallCnn(10, 3, 8));
        var specError = Assert.Throws<ArgumentException>(() => wrongSpec.Fit(_t.Train));
        Assert.Contains("3-channel", specError.Message);
    }

    [Fact]
    public void NaNPixelsAreRefusedWithTheRowNumber()
    {
        var context = _t.Context;
        var rows = context.Data.CreateEnumerable<Row>(context.Data.TakeRows(_t.Train, 4), reuseRowObject: false).ToList();
        rows[2].Features[100] = float.NaN;
        var data = context.Data.LoadFromEnumerable(rows);
        var keyed = context.Transforms.Conversion.MapValueToKey("Label", "Label").Fit(data).Transform(data);
        var ex = Assert.Throws<InvalidDataException>(() => context.MulticlassClassification.Trainers.ImageClassification(epochs: 1).Fit(keyed));
        Assert.Contains("row 2", ex.Message);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(y));

        public int GetHashCode(float obj) => 0;
    }
}
