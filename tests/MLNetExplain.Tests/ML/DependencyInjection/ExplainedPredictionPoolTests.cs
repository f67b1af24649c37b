using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using MLNetExplain.ML.DependencyInjection;
using MLNetExplain.ML.Persistence;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.ML.Persistence;
using MLNetExplain.Tests.ML.Stages;

namespace MLNetExplain.Tests.ML.DependencyInjection;

public sealed class ExplainedPredictionPoolTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private sealed class Explained
    {
        public int Id { get; set; }

        public float[] Saliency { get; set; } = [];

        public float[] SmoothGrad { get; set; } = [];
    }

    [Fact]
    public void ConcurrentPredictionsFromTheRegisteredPoolEqualSerialOnes()
    {
        ExplainerModelFileTests.RegisterTestModels();
        var ml = new MLContext(seed: 1);
        var rows = TinyImages.Rows(48);
        var data = TinyImages.View(ml, rows);
        var path = _folder.File("served.zip");
        ml.Model.SaveWithExplainers(ExplainerModelFileTests.FitPipeline(ml, data, new LinearClassifier()), data.Schema, path);

        var services = new ServiceCollection().AddMLNetExplain(o => o.Seed = 7).AddExplainedPredictionPool<TinyImage, Explained>(path, maximumIdle: 2);
        using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<MLContext>(), provider.GetRequiredService<MLContext>());
        var pool = provider.GetRequiredService<ExplainedPredictionPool<TinyImage, Explained>>();

        // Serial reference: one engine, one thread, on the same file.
        using var loaded = ml.Model.LoadWithExplainers(path, out var schema);
        var engine = ml.Model.CreatePredictionEngine<TinyImage, Explained>(loaded, schema);
        var serial = rows.Select(engine.Predict).ToList();
        Assert.NotEqual(serial[0].SmoothGrad, serial[1].SmoothGrad);

        // Every row three times, in a scrambled order, from 4 threads.
        var jobs = Enumerable.Range(0, 3 * rows.Count).Select(i => i * 37 % rows.Count).ToArray();
        var results = new Explained[jobs.Length];
        Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = pool.Predict(rows[jobs[i]]));
        for (var i = 0; i < jobs.Length; i++)
        {
            Assert.Equal(serial[jobs[i]].Id, results[i].Id);
            Assert.Equal(serial[jobs[i]].Saliency, results[i].Saliency);
            Assert.Equal(serial[jobs[i]].SmoothGrad, results[i].SmoothGrad);
        }
    }
}
