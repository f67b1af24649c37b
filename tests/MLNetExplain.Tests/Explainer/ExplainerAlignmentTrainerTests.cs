using System.IO.Compression;
using System.Text.Json.Nodes;
using MLNetExplain.Attribution;
using MLNetExplain.Explainer;
using MLNetExplain.Tests.Attribution;
using MLNetExplain.Tests.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Explainer;

[Collection(AlignmentData.Collection)]
public sealed class ExplainerAlignmentTrainerTests(AlignmentData data, Xunit.Abstractions.ITestOutputHelper output)
{
    private static ExplainerAlignmentOptions Options(int epochs, double lambda = 0.35) => new()
    {
        Epochs = epochs, BatchSize = 64, LearningRate = 0.05, DecayEpochs = 0, Lambda = lambda, WarmupSteps = 200, Seed = 2,
    };

    private static TinyConvClassifier NewClassifier()
    {
        random.manual_seed(7);
        return new TinyConvClassifier(1, 28, 10, 10, 20, 24);
    }

    private (Tensor Images, Tensor Labels, Tensor Targets) Rows(int count) =>
        (data.TrainImages.narrow(0, 0, count), data.TrainLabels.narrow(0, 0, count), data.TrainTargets.narrow(0, 0, count));

    private static double Pearson(Tensor a, Tensor b)
    {
        var x = a.flatten().to_type(ScalarType.Float64);
        var y = b.flatten().to_type(ScalarType.Float64);
        x = x - x.mean();
        y = y - y.mean();
        return ((x * y).sum() / ((x.square().sum() * y.square().sum()).sqrt() + 1e-30)).item<double>();
    }

    private static float[] State(nn.Module module) =>
        module.state_dict().Values.SelectMany(t => t.to_type(ScalarType.Float32).data<float>().ToArray()).ToArray();

    private sealed class Reports : IProgress<ExplainerAlignmentProgress>
    {
        public List<ExplainerAlignmentProgress> Items { get; } = [];

        public void Report(ExplainerAlignmentProgress value) => Items.Add(value);
    }

    [Fact]
    public void MapsLearnToFollowTheRobustAttributionsOnHeldOutImages()
    {
        using var scope = NewDisposeScope();
        double MeanCorrelation(ExplainedClassifier model)
        {
            var (_, _, maps) = model.Explain(data.TestImages);
            var targets = AttributionPostprocessing.Apply(data.TestTargets, ChannelReduction.None, AttributionNormalization.MaxAbs);
            return Enumerable.Range(0, (int)maps.shape[0]).Average(i => Pearson(maps[i], targets[i]));
        }

        var reports = new Reports();
        using var untrained = new ExplainerAlignmentTrainer(Options(0)).Fit(NewClassifier(), data.TrainImages, data.TrainLabels, data.TrainTargets);
        using var trained = new ExplainerAlignmentTrainer(Options(3)).Fit(NewClassifier(), data.TrainImages, data.TrainLabels, data.TrainTargets, reports);
        double before = MeanCorrelation(untrained), after = MeanCorrelation(trained);
        output.WriteLine($"held-out map/target correlation: untrained {before:F3}, trained {after:F3}");
        Assert.True(after > 0.4 && after > before + 0.3, $"map/target correlation on held-out images: trained {after:F3}, untrained {before:F3}");
        Assert.Equal([1, 2, 3], reports.Items.Select(r => r.Epoch));
        Assert.True(reports.Items[^1].Distance < reports.Items[0].Distance, "the alignment distance should fall");
        var (probabilities, predicted, _) = trained.Explain(data.TestImages);
        double accuracy = predicted.eq(data.TestLabels).to_type(ScalarType.Float64).mean().item<double>();
        output.WriteLine($"test accuracy {accuracy:F3}");
        Assert.True(accuracy > 0.6, $"test accuracy {accuracy:F3} after 3 epochs on 2000 images");
    }

    [Fact]
    public void LambdaZeroIsPlainCrossEntropyTraining()
    {
        using var scope = NewDisposeScope();
        var (x, y, g) = Rows(500);
        var o = Options(2, lambda: 0);
        o.WarmupSteps = 0;
        using var explained = new ExplainerAlignmentTrainer(o).Fit(NewClassifier(), x, y, g);
        using var plain = NewClassifier();
        PlainTraining.Run(plain, x, y, o.Seed, o.Epochs, o.BatchSize, o.LearningRate, o.Momentum, o.WeightDecay);
        Assert.Equal(State(plain), State(explained.Classifier));
    }

    [Fact]
    public void OnePassGivesTheBackbonesLogitsAndTheHeadsMapOfItsFeatures()
    {
        using var scope = NewDisposeScope();
        var (x, y, g) = Rows(300);
        using var model = new ExplainerAlignmentTrainer(Options(1)).Fit(NewClassifier(), x, y, g);
        var images = data.TestImages.narrow(0, 0, 20);
        var (logits, maps) = model.ForwardBoth(images);
        var (probabilities, predicted, explained) = model.Explain(images);
        Assert.Equal(new long[] { 20, 1, 28, 28 }, maps.shape);
        Assert.True(logits.equal(model.Classifier.call(images)).all().item<bool>());
        Assert.True(maps.equal(model.Explainer.call(model.Classifier.Features(images))).all().item<bool>());
        Assert.True(explained.equal(maps).all().item<bool>());
        Assert.True(probabilities.allclose(nn.functional.softmax(logits, 1)) && predicted.equal(logits.argmax(1)).all().item<bool>());
        var attribution = new ExplainerAttribution(model);
        Assert.Equal("Explainer", attribution.Name);
        Assert.True(attribution.Attribute(images, predicted).equal(maps).all().item<bool>());
    }

    [Fact]
    public void LiveTensorsStayFlatOverEpochs()
    {
        // A tensor leaked per step would make three epochs leave more behind than one.
        var (x, y, g) = Rows(256);
        long LeftBehind(int epochs, bool onTheFly)
        {
            var o = Options(epochs);
            if (onTheFly)
            {
                o.RobustModel = data.Robust;
                o.RobustSmoothGrad = new SmoothGradOptions { Samples = 2 };
            }

            var classifier = NewClassifier();
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var model = new ExplainerAlignmentTrainer(o).Fit(classifier, x, y, onTheFly ? null : g);
            long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            model.Dispose();
            return after - before;
        }

        Assert.Equal(LeftBehind(1, false), LeftBehind(3, false));
        Assert.Equal(LeftBehind(1, true), LeftBehind(3, true));
    }

    [Fact]
    public void PostHocModeLeavesTheClassifierUnchangedAndOnTheFlyTargetsWork()
    {
        using var scope = NewDisposeScope();
        var (x, y, _) = Rows(300);
        var classifier = data.Robust.CopyAs(ScalarType.Float32);
        var before = State(classifier);
        var o = Options(1);
        o.PostHoc = true;
        o.RobustModel = data.Robust;
        o.RobustSmoothGrad = new SmoothGradOptions { Samples = 4 };
        using var model = new ExplainerAlignmentTrainer(o).Fit(classifier, x, y);
        Assert.Equal(before, State(model.Classifier));
        Assert.NotEqual(State(model.Explainer), State(model.Explainer.Spec.Build()));
        Assert.False(data.Robust.training);
    }

    [Fact]
    public void WarmupRampsTheRateAndAResumedRunEqualsAnUninterruptedOne()
    {
        using var scope = NewDisposeScope();
        // 500 rows in batches of 64: 8 steps per epoch, so a 12-step warm-up crosses the checkpoint after epoch 1.
        var (x, y, g) = Rows(500);
        ExplainerAlignmentOptions WithWarmup(int epochs, int warmup, string? checkpoint = null)
        {
            var o = Options(epochs);
            o.WarmupSteps = warmup;
            o.CheckpointPath = checkpoint;
            o.ResumeFromCheckpoint = checkpoint is not null;
            return o;
        }

        using (var crawling = new ExplainerAlignmentTrainer(WithWarmup(1, 1_000_000)).Fit(NewClassifier(), x, y, g))
        using (var full = new ExplainerAlignmentTrainer(WithWarmup(1, 0)).Fit(NewClassifier(), x, y, g))
        {
            // Rates of at most 0.05 * 8 / 1e6 barely move the weights (batch-norm statistics aside); the full rate moves them.
            var conv1 = (ExplainedClassifier m) => m.Classifier.named_parameters().First().parameter;
            using var fresh = NewClassifier();
            var start = fresh.named_parameters().First().parameter;
            double crawled = (conv1(crawling) - start).abs().max().item<float>(), moved = (conv1(full) - start).abs().max().item<float>();
            Assert.True(crawled < 1e-5 && moved > 1e-3, $"moved {crawled:G3} with warm-up, {moved:G3} without");
        }

        using var directory = new TempDirectory();
        var checkpoint = directory.File("alignment.ckpt");
        using var straight = new ExplainerAlignmentTrainer(WithWarmup(2, 12)).Fit(NewClassifier(), x, y, g);
        using (new ExplainerAlignmentTrainer(WithWarmup(1, 12, checkpoint)).Fit(NewClassifier(), x, y, g))
        {
        }

        // The resumed run trains epoch 2 only, at the warm-up step where the uninterrupted run was (8, not 0).
        var reports = new Reports();
        using var resumed = new ExplainerAlignmentTrainer(WithWarmup(2, 12, checkpoint)).Fit(NewClassifier(), x, y, g, reports);
        Assert.Equal([2], reports.Items.Select(r => r.Epoch));
        Assert.Equal(State(straight), State(resumed));
        var other = WithWarmup(2, 12, checkpoint);
        other.Lambda = 1;
        Assert.Throws<InvalidDataException>(() => new ExplainerAlignmentTrainer(other).Fit(NewClassifier(), x, y, g));
    }

    [Fact]
    public void SaveAndLoadGiveIdenticalOutputsAndOtherLayoutsAreRefused()
    {
        using var scope = NewDisposeScope();
        var (x, y, g) = Rows(300);
        var classifier = NewClassifier();
        string description = classifier.Description;
        using var model = new ExplainerAlignmentTrainer(Options(1)).Fit(classifier, x, y, g);
        using var directory = new TempDirectory();
        var path = directory.File("explained.zip");
        ExplainedClassifierFile.Save(path, model, description);
        Assert.Equal(description, ExplainedClassifierFile.ReadBackbone(path));
        using var loaded = ExplainedClassifierFile.Load(path, TinyConvClassifier.FromDescription);
        var images = data.TestImages.narrow(0, 0, 16);
        var (logits, maps) = model.Explain(images) is var e ? (e.Probabilities, e.Maps) : default;
        var (logits2, maps2) = loaded.Explain(images) is var f ? (f.Probabilities, f.Maps) : default;
        Assert.True(logits.equal(logits2).all().item<bool>() && maps.equal(maps2).all().item<bool>());
        Assert.Empty(Directory.GetFiles(directory.Path, "*.tmp"));

        // A file from another head layout must not load its weights into this one.
        var old = directory.File("old.zip");
        File.Copy(path, old);
        using (var zip = ZipFile.Open(old, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("explainer.json")!;
            JsonNode json;
            using (var reader = new StreamReader(entry.Open()))
            {
                json = JsonNode.Parse(reader.ReadToEnd())!;
            }

            json["HeadLayout"] = 2;
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("explainer.json").Open());
            writer.Write(json.ToJsonString());
        }

        var ex = Assert.Throws<InvalidDataException>(() => ExplainedClassifierFile.Load(old, TinyConvClassifier.FromDescription));
        Assert.Contains("Retrain", ex.Message);
        Assert.Throws<FileNotFoundException>(() => ExplainedClassifierFile.Load(directory.File("missing.zip"), TinyConvClassifier.FromDescription));
        File.WriteAllText(directory.File("text.zip"), "not a zip");
        Assert.Contains("text.zip", Assert.Throws<InvalidDataException>(() => ExplainedClassifierFile.Load(directory.File("text.zip"), TinyConvClassifier.FromDescription)).Message);
        // A backbone of another shape does not fit the saved weights.
        ex = Assert.Throws<InvalidDataException>(() => ExplainedClassifierFile.Load(path, _ => new TinyConvClassifier(1, 28, 10, 10, 20, 16)));
        Assert.Contains("explained.zip", ex.Message);
    }

    [Fact]
    public void BadInputFailsWithTheArgumentAndExpectedShape()
    {
        using var scope = NewDisposeScope();
        var (x, y, g) = Rows(64);
        var trainer = new ExplainerAlignmentTrainer(Options(1));
        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(NewClassifier(), x, y, g.narrow(2, 0, 20)));
        Assert.Equal("robustTargets", ex.ParamName);
        Assert.Contains("[64, 1 or 1, 28, 28]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => trainer.Fit(NewClassifier(), x, y + 10, g));
        Assert.Contains("[0, 9]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => trainer.Fit(NewClassifier(), x, y.narrow(0, 0, 10), g));
        Assert.Equal("targets", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => trainer.Fit(NewClassifier(), x, y));
        Assert.Contains("RobustModel", ex.Message);
        Assert.Throws<ArgumentException>(() => new ExplainerAlignmentTrainer(new ExplainerAlignmentOptions { BatchSize = 0 }));

        using var model = new ExplainerAlignmentTrainer(Options(0)).Fit(NewClassifier(), x, y, g);
        ex = Assert.Throws<ArgumentException>(() => model.ForwardBoth(zeros(2, 1, 32, 32)));
        Assert.Contains("[N, C, 28, 28]", ex.Message);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(NewClassifier(), x, y, g, cancellationToken: cancelled.Token));
    }
}
