using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Data;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.ML.Trainers;
using MLNetExplain.Models;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.ML.Trainers;

/// <summary>
/// Seed 001 as an ML.NET user composes it: robust attributions appended by a stage, then the explainer alignment
/// trainer reading them; the fitted model appends Score, PredictedLabel and the heatmap in one pass.
/// </summary>
public sealed class ExplainerAlignmentPipelineTests
{
    private sealed class Row
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];

        public float[] Explanation { get; set; } = [];
    }

    [Fact]
    public void RobustAttributionStageFeedsTheTrainerAndTheModelExplainsInOnePass()
    {
        var context = new MLContext(seed: 1);
        var train = context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Train), 1200);
        var test = context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Test), 64);
        // A quickly trained stand-in for the robust counterpart: the plumbing, not robustness, is under test here.
        using var robust = context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Model = ClassifierSpec.SmallCnn(10, 1, 8), Epochs = 1, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Seed = 2,
        }).Fit(train);

        var pipeline = context.Transforms.RobustAttribution(robust.Model, outputColumnName: "Robust", samples: 4, seed: 5)
            .Append(context.MulticlassClassification.Trainers.ExplainerAlignment(new ExplainedImageClassificationTrainer.Options
            {
                RobustAttributionColumnName = "Robust", Model = ClassifierSpec.SmallCnn(10, 1, 8).WithNormalization([0.286f], [0.353f]),
                Epochs = 3, BatchSize = 64, LearningRate = 0.1, WarmupSteps = 10, Seed = 3,
            }));
        var model = pipeline.Fit(train);
        var explained = model.LastTransformer;

        var scored = explained.Transform(test);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), scored.Schema["Explanation"].Type);
        Assert.Equal(new KeyDataViewType(typeof(uint), 10), scored.Schema["PredictedLabel"].Type);
        Assert.InRange(context.MulticlassClassification.Evaluate(scored).MicroAccuracy, 0.3, 1.0);

        // The column equals the tensor API's one-pass output on the same images.
        var maps = scored.GetColumn<float[]>("Explanation").ToList();
        var (images, _) = FashionMnist.Load(DatasetSplit.Test).ToTensors(0, 64);
        using (images)
        {
            var (_, _, expected) = explained.Model.Explain(images);
            using (expected)
            {
                var flat = expected.reshape(64, -1).data<float>().ToArray();
                for (int i = 0; i < maps.Count; i++)
                {
                    Assert.Equal(flat.AsSpan(i * 784, 784).ToArray(), maps[i]);
                }
            }
        }

        var rows = context.Data.CreateEnumerable<Row>(test, reuseRowObject: false).Take(3).ToList();
        string path = Path.Combine(Path.GetTempPath(), $"mlnetexplain-explained-{Guid.NewGuid():N}.zip");
        try
        {
            // Post-hoc saliency of the same network beside its one-pass map, saved together.
            var saliency = context.Transforms.Saliency(explained.Model, outputColumnName: "Saliency").Fit(scored);
            var chain = new TransformerChain<ITransformer>(explained, saliency);
            var saliencyMaps = chain.Transform(test).GetColumn<float[]>("Saliency").ToList();
            context.Model.SaveWithExplainers(chain, test.Schema, path);
            var reloaded = context.Model.LoadWithExplainers(path, out _);
            Assert.Equal(saliencyMaps, reloaded.Transform(test).GetColumn<float[]>("Saliency").ToList());
            // Same batches, same numbers: identical heatmaps after the round trip.
            Assert.Equal(maps, reloaded.Transform(test).GetColumn<float[]>("Explanation").ToList());
            // One row per call: equal up to float32 summation order at another batch size.
            using var engine = context.Model.CreatePredictionEngine<Row, Prediction>(reloaded);
            for (int i = 0; i < rows.Count; i++)
            {
                var p = engine.Predict(rows[i]);
                Assert.Equal(maps[i].Length, p.Explanation.Length);
                Assert.True(maps[i].Zip(p.Explanation).All(z => Math.Abs(z.First - z.Second) <= 1e-5f), $"row {i}");
                Assert.Equal(1.0, p.Score.Sum(), 4);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TargetsAndRobustModelAreExclusiveAndTheTargetColumnIsChecked()
    {
        var context = new MLContext(seed: 1);
        Assert.Throws<ArgumentException>(() => context.MulticlassClassification.Trainers.ExplainerAlignment(new ExplainedImageClassificationTrainer.Options()));
        var data = context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Test), 8);
        var trainer = context.MulticlassClassification.Trainers.ExplainerAlignment("NoSuchColumn");
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(SchemaShapes.Of(data.Schema)));
        Assert.Contains("'NoSuchColumn'", ex.Message);
    }
}
