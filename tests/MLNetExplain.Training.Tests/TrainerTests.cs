using MLNetExplain.Data;
using MLNetExplain.Torch;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Tests;

[Collection(FashionMnistCollection.Name)]
public sealed class TrainerTests(FashionMnistFixture data) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlx-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<float[]> Scores(IDataView scored) => scored.GetColumn<float[]>("Score").ToList();

    [Fact]
    public void GradientAlignmentLossMatchesHandComputation()
    {
        // logits_k(z) = sum_j W[k, j] z_j^2, so g = 2 W[y] * z and g_r = 2 W[y] * (z + delta) in closed form.
        double[,] w = { { 0.5, -1.0 }, { 2.0, 0.25 } };
        double[][] z = [[0.3, -0.7], [1.1, 0.4]];
        double[][] delta = [[0.05, -0.02], [-0.03, 0.01]];
        int[] y = [1, 0];
        using var scope = Torch.Torch.NewDisposeScope();
        var wt = Tensor.From(new[] { w[0, 0], w[0, 1], w[1, 0], w[1, 1] }, 2, 2);
        Tensor Logits(Tensor input) => input.Square().Flatten(1).Matmul(wt.Transpose(0, 1));
        var terms = GradientAlignment.Loss(Logits, Tensor.From(z.SelectMany(r => r).ToArray(), 2, 1, 1, 2), Tensor.From(new long[] { 1, 0 }),
            Tensor.From(delta.SelectMany(r => r).ToArray(), 2, 1, 1, 2), lambdaL2: 0.7, lambdaCos: 0.3);

        double ce = 0, l2 = 0, cos = 0;
        for (var b = 0; b < 2; b++)
        {
            var logits = Enumerable.Range(0, 2).Select(k => w[k, 0] * z[b][0] * z[b][0] + w[k, 1] * z[b][1] * z[b][1]).ToArray();
            ce += Math.Log(logits.Sum(Math.Exp)) - logits[y[b]];
            var g = Enumerable.Range(0, 2).Select(j => 2 * w[y[b], j] * z[b][j]).ToArray();
            var gr = Enumerable.Range(0, 2).Select(j => 2 * w[y[b], j] * (z[b][j] + delta[b][j])).ToArray();
            l2 += g.Zip(gr, (p, q) => (p - q) * (p - q)).Sum();
            cos += g.Zip(gr, (p, q) => p * q).Sum() / Math.Sqrt(g.Sum(v => v * v) * gr.Sum(v => v * v));
        }

        ce /= 2;
        l2 /= 2;
        var cosd = (1 - cos / 2) / 2;
        Assert.Equal(ce, terms.CrossEntropy.ToDouble(), 12);
        Assert.Equal(l2, terms.L2.ToDouble(), 12);
        Assert.Equal(cosd, terms.CosineDistance.ToDouble(), 12);
        Assert.Equal(ce + 0.7 * l2 + 0.3 * cosd, terms.Total.ToDouble(), 12);
    }

    [Fact]
    public void GradientAlignmentLossIsSecondOrderInTheWeights()
    {
        // The regulariser depends on the weights only through input gradients: its weight gradient must be non-zero.
        using var scope = Torch.Torch.NewDisposeScope();
        var wt = Tensor.From(new[] { 0.5, -1.0, 2.0, 0.25 }, 2, 2).RequiresGrad_();
        Tensor Logits(Tensor input) => input.Square().Flatten(1).Matmul(wt.Transpose(0, 1));
        var terms = GradientAlignment.Loss(Logits, Tensor.From(new[] { 0.3, -0.7 }, 1, 1, 1, 2), Tensor.From(new long[] { 1 }),
            Tensor.From(new[] { 0.05, -0.02 }, 1, 1, 1, 2), lambdaL2: 1, lambdaCos: 0);
        var grad = Autograd.Grad(terms.L2, wt);
        // g = 2 W[1] z is detached, g_r = 2 W[1] (z + d) carries the graph: l2 = sum_j (g_j - g_r,j)^2, so
        // d l2 / d W[1, j] = 2 (g_r,j - g_j) * 2 (z_j + d_j) = 8 W[1, j] d_j (z_j + d_j).
        Assert.Equal(new[] { 0, 0, 8 * 2.0 * 0.05 * 0.35, 8 * 0.25 * -0.02 * -0.72 }, grad.ToArray<double>(), new Close());
    }

    [Fact]
    public void SmallModelLearnsFashionMnist()
    {
        var metrics = data.Context.MulticlassClassification.Evaluate(data.Model.Transform(data.Test));
        Assert.True(metrics.MicroAccuracy > 0.8, $"accuracy {metrics.MicroAccuracy} after 3 epochs on 12000 images");
        Assert.Equal(1000, metrics.Count);
        var total = 0L;
        foreach (var v in metrics.ConfusionMatrix)
        {
            total += v;
        }

        Assert.Equal(1000, total);
        Assert.InRange(metrics.LogLoss, 0.05, 1.0);
        var scored = data.Model.Transform(data.Test);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 10), scored.Schema["Score"].Type);
        Assert.Equal("Ankle boot", scored.Schema["PredictedLabel"].Annotations.KeyValues![9]);
        Assert.All(Scores(scored).Take(20), s => Assert.Equal(1, s.Sum(), 4));
    }

    [Fact]
    public void SavedClassifierReproducesPredictions()
    {
        var path = Path.Combine(_dir, "classifier.zip");
        data.Context.Model.Save(data.Model, data.Test.Schema, path);
        var loaded = data.Context.Model.Load(path, out _);
        Assert.Equal(Scores(data.Model.Transform(data.Test)), Scores(loaded.Transform(data.Test)));
        (loaded as IDisposable)?.Dispose();
    }

    [Fact]
    public void ResumingFromACheckpointMatchesAnUninterruptedRun()
    {
        var subset = data.Context.Data.TakeRows(data.Train, 1000);
        var cached = data.Context.Data.Cache(subset);
        ImageClassificationTrainer.Options Options(int epochs, string? checkpoint) => new()
        {
            Model = ClassifierSpec.SmallCnn(10, 1, 8), Epochs = epochs, BatchSize = 100, LearningRate = 0.05, Seed = 3,
            CheckpointPath = checkpoint, ResumeFromCheckpoint = checkpoint is not null,
        };
        using var straight = data.Context.MulticlassClassification.Trainers.ImageClassification(Options(2, null)).Fit(cached);
        var checkpoint = Path.Combine(_dir, "ckpt.safetensors");
        using (data.Context.MulticlassClassification.Trainers.ImageClassification(Options(1, checkpoint)).Fit(cached))
        {
        }

        using var resumed = data.Context.MulticlassClassification.Trainers.ImageClassification(Options(2, checkpoint)).Fit(cached);
        var test = data.Context.Data.TakeRows(data.Test, 50);
        Assert.Equal(Scores(straight.Transform(test)), Scores(resumed.Transform(test)));
    }

    [Fact]
    public void TrainingHonoursCancellationAndChecksTheSchemaFirst()
    {
        var context = new ExplainContext(seed: 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        context.CancellationToken = cts.Token;
        var trainer = context.MulticlassClassification.Trainers.ImageClassification(epochs: 1);
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data.Train));

        var wrong = context.MulticlassClassification.Trainers.ImageClassification(featureColumnName: "Image");
        var ex = Assert.Throws<SchemaMismatchException>(() => wrong.Fit(data.Train));
        Assert.Contains("'Image'", ex.Message);
        Assert.Contains("Single vector", ex.Message);
        var mismatch = context.MulticlassClassification.Trainers.ImageClassification(model: ClassifierSpec.SmallCnn(5, 1));
        ex = Assert.Throws<SchemaMismatchException>(() => mismatch.Fit(data.Train));
        Assert.Contains("5 classes", ex.Message);
    }

    [Fact]
    public void ProgressReportsEveryEpoch()
    {
        var context = new ExplainContext(seed: 2);
        var reports = new List<ProgressReport>();
        context.Progress = new SyncProgress(reports.Add);
        using var model = context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
        {
            Model = ClassifierSpec.SmallCnn(10, 1, 8), Epochs = 2, BatchSize = 100, ValidationSet = context.Data.TakeRows(data.Test, 200),
        }).Fit(context.Data.TakeRows(data.Train, 500));
        Assert.Equal([1L, 2L], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.Metrics["images/s"] > 0 && r.Metrics.ContainsKey("validation accuracy") && r.Metrics["loss"] > 0));
    }

    private sealed class SyncProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }

    private sealed class Close : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < 1e-12;

        public int GetHashCode(double obj) => 0;
    }
}
