using MLNetExplain.Attribution;
using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Training.Explainer;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Tests;

/// <summary>
/// Seed 001's pipeline on CI-sized data. The fixture's standard model stands in for the robust counterpart f': the
/// alignment mechanism is the same whichever model supplies the targets, and adversarial training is tested elsewhere.
/// </summary>
[Collection(FashionMnistCollection.Name)]
public sealed class ExplainerTests(FashionMnistFixture data) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlx-explainer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IDataView WithTargets(IDataView view, int rows) =>
        data.Context.Data.Cache(data.Context.Transforms.SmoothGrad(data.Model, AttributionCatalog.RobustAttributionOptions(samples: 8, seed: 1))
            .Fit(view).Transform(data.Context.Data.TakeRows(view, rows)));

    private ExplainerAlignmentTrainer.Options Options(int epochs, double lambda = 0.35) => new()
    {
        Model = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.286f], [0.353f]),
        Epochs = epochs, BatchSize = 64, LearningRate = 0.05, Schedule = ScheduleKind.Constant, Lambda = lambda, Seed = 2,
    };

    private static List<float[]> Column(IDataView view, string name) => view.GetColumn<float[]>(name).ToList();

    private static double Pearson(float[] a, float[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double cov = 0, va = 0, vb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }

        return cov / Math.Sqrt(va * vb + 1e-30);
    }

    [Fact]
    public void ExplainerLearnsMapsThatFollowTheRobustAttributions()
    {
        var train = WithTargets(data.Train, 3000);
        var test = WithTargets(data.Test, 200);
        using var untrained = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(Options(0)).Fit(train);
        using var trained = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(Options(3)).Fit(train);
        double MeanCorrelation(ExplainedClassifierTransformer model)
        {
            var scored = model.Transform(test);
            return Column(scored, "Attribution").Zip(Column(scored, "RobustAttribution")).Average(p => Pearson(p.First, p.Second));
        }

        var before = MeanCorrelation(untrained);
        var after = MeanCorrelation(trained);
        Assert.True(after > 0.4 && after > before + 0.3, $"map/target correlation on held-out images: trained {after:F3}, untrained {before:F3}");
    }

    [Fact]
    public void OneForwardPassAppendsScoreLabelAndMapEqualToBackbonePlusHead()
    {
        var train = WithTargets(data.Train, 500);
        using var model = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(Options(1)).Fit(train);
        var scored = model.Transform(data.Context.Data.TakeRows(data.Test, 20));
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 10), scored.Schema["Score"].Type);
        Assert.Equal(new KeyDataViewType(10), scored.Schema["PredictedLabel"].Type);
        Assert.Equal("Ankle boot", scored.Schema["PredictedLabel"].Annotations.KeyValues![9]);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), scored.Schema["Attribution"].Type);

        using var scope = Torch.Torch.NewDisposeScope();
        using var batches = new TensorBatchCursor(scored, "Features", 20);
        batches.MoveNext();
        using var noGrad = Torch.Torch.NoGrad();
        var manual = model.Network.Explainer.Forward(model.Network.Classifier.Features(batches.Features));
        var logits = model.Network.Classifier.Forward(batches.Features);
        Assert.Equal(manual.ToArray<float>(), Column(scored, "Attribution").SelectMany(r => r).ToArray());
        var probabilities = Torch.NN.Functional.Softmax(logits, 1).ToArray<float>();
        Assert.Equal(probabilities, Column(scored, "Score").SelectMany(r => r).ToArray());
    }

    [Fact]
    public void LambdaZeroIsPlainCrossEntropyTraining()
    {
        var train = WithTargets(data.Train, 500);
        var o = Options(2, lambda: 0);
        o.WarmupSteps = 0;
        using var explained = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(o).Fit(train);
        using var plain = data.Context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Model = o.Model, Epochs = o.Epochs, BatchSize = o.BatchSize, LearningRate = o.LearningRate, Schedule = o.Schedule, Seed = o.Seed,
        }).Fit(train);
        var test = data.Context.Data.TakeRows(data.Test, 50);
        Assert.Equal(Column(plain.Transform(test), "Score"), Column(explained.Transform(test), "Score"));
    }

    [Fact]
    public void WarmupRampsTheLearningRateAndResumesWhereItStopped()
    {
        // 500 rows in batches of 64: 8 steps per epoch, so a 12-step warm-up crosses the checkpoint after epoch 1.
        var train = WithTargets(data.Train, 500);
        ExplainerAlignmentTrainer.Options WithWarmup(int epochs, int warmup, string? checkpoint = null)
        {
            var o = Options(epochs);
            o.WarmupSteps = warmup;
            o.CheckpointPath = checkpoint;
            o.ResumeFromCheckpoint = checkpoint is not null;
            return o;
        }

        // The first parameter is the first convolution's weight.
        float[] Conv1(ExplainedClassifierTransformer model) => model.Network.Classifier.Parameters().First().ToArray<float>();
        double Moved(ExplainedClassifierTransformer a, ExplainedClassifierTransformer b) => Conv1(a).Zip(Conv1(b)).Max(p => Math.Abs(p.First - p.Second));

        using var initial = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(WithWarmup(0, 0)).Fit(train);
        using var crawling = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(WithWarmup(1, 1_000_000)).Fit(train);
        using var full = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(WithWarmup(1, 0)).Fit(train);
        // Rates of at most 0.05 * 8 / 1e6 barely move the weights; the full rate moves them.
        Assert.True(Moved(crawling, initial) < 1e-5 && Moved(full, initial) > 1e-3, $"moved {Moved(crawling, initial):G3} with warm-up, {Moved(full, initial):G3} without");

        using var straight = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(WithWarmup(2, 12)).Fit(train);
        var checkpoint = Path.Combine(_dir, "warmup.safetensors");
        using (data.Context.MulticlassClassification.Trainers.ExplainerAlignment(WithWarmup(1, 12, checkpoint)).Fit(train))
        {
        }

        using var resumed = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(WithWarmup(2, 12, checkpoint)).Fit(train);
        Assert.Equal(Conv1(straight), Conv1(resumed));
        var test = data.Context.Data.TakeRows(data.Test, 30);
        Assert.Equal(Column(straight.Transform(test), "Attribution"), Column(resumed.Transform(test), "Attribution"));
    }

    [Fact]
    public void PostHocModeKeepsTheClassifierAndOnTheFlyTargetsWork()
    {
        var train = data.Context.Data.TakeRows(data.Train, 300);
        var o = Options(1);
        o.PostHocClassifier = data.Model;
        o.Model = null;
        o.RobustModel = data.Model;
        o.RobustSmoothGrad = o.RobustSmoothGrad with { Samples = 4 };
        using var model = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(o).Fit(train);
        var test = data.Context.Data.TakeRows(data.Test, 30);
        Assert.Equal(Column(data.Model.Transform(test), "Score"), Column(model.Transform(test), "Score"));
    }

    [Fact]
    public void WholeChainRoundTripsThroughAModelFile()
    {
        var train = WithTargets(data.Train, 300);
        using var model = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(Options(1)).Fit(train);
        var raw = data.Context.Data.TakeRows(data.Context.Data.LoadFashionMnist(Vision.Datasets.DatasetSplit.Test), 40);
        var pixels = data.Context.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f).Fit(raw);
        var chain = new TransformerChain<ExplainedClassifierTransformer>(pixels, model);
        var path = Path.Combine(_dir, "explainer.zip");
        data.Context.Model.Save(chain, raw.Schema, path);
        var loaded = data.Context.Model.Load(path, out _);
        Assert.Equal(Column(chain.Transform(raw), "Attribution"), Column(loaded.Transform(raw), "Attribution"));
        Assert.Equal(Column(chain.Transform(raw), "Score"), Column(loaded.Transform(raw), "Score"));
        (loaded as IDisposable)?.Dispose();
    }

    [Fact]
    public void AModelFileFromTheUpsampleFirstHeadIsRefused()
    {
        var train = WithTargets(data.Train, 200);
        using var model = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(Options(0)).Fit(train);
        var path = Path.Combine(_dir, "old-head.zip");
        data.Context.Model.Save(model, train.Schema, path);
        // Earlier files had no layout field: its absence must not load the weights into the other layout.
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("params.json", StringComparison.Ordinal) && Read(e).Contains("\"Head\"", StringComparison.OrdinalIgnoreCase));
            var json = System.Text.Json.Nodes.JsonNode.Parse(Read(entry))!.AsObject();
            Assert.True(json.Remove(json.Single(p => p.Key.Equals("Layout", StringComparison.OrdinalIgnoreCase)).Key));
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(entry.FullName).Open());
            writer.Write(json.ToJsonString());
        }

        var ex = Assert.Throws<InvalidDataException>(() => data.Context.Model.Load(path, out _));
        Assert.Contains("Retrain", ex.Message);

        static string Read(System.IO.Compression.ZipArchiveEntry e)
        {
            using var reader = new StreamReader(e.Open());
            return reader.ReadToEnd();
        }
    }

    [Fact]
    public void BadInputFailsWithAClearMessage()
    {
        var train = WithTargets(data.Train, 200);
        using var model = data.Context.MulticlassClassification.Trainers.ExplainerAlignment(Options(0)).Fit(train);
        var wrongSize = data.Context.Transforms.ResizeImages("Features", 32, 32, "Features").Fit(data.Test).Transform(data.Test);
        var ex = Assert.Throws<SchemaMismatchException>(() => model.Transform(wrongSize));
        Assert.Contains("'Features'", ex.Message);
        Assert.Contains("[1, 28, 28]", ex.Message);
        Assert.Contains("Vector<Single, 1, 32, 32>", ex.Message);

        var o = Options(1);
        o.RobustAttributionColumnName = "Missing";
        ex = Assert.Throws<SchemaMismatchException>(() => data.Context.MulticlassClassification.Trainers.ExplainerAlignment(o).Fit(train));
        Assert.Contains("'Missing'", ex.Message);

        var rgb = Options(1);
        rgb.Model = ClassifierSpec.SmallCnn(10, 3);
        ex = Assert.Throws<SchemaMismatchException>(() => data.Context.MulticlassClassification.Trainers.ExplainerAlignment(rgb).Fit(train));
        Assert.Contains("3-channel", ex.Message);
    }
}
