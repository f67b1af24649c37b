using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Explainer;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Trainers;
using MLNetExplain.Models;
using MLNetExplain.Training;

namespace MLNetExplain.Tests.ML.Trainers;

public sealed class ExplainedModelFileTests
{
    private sealed class Row
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = new float[784];
    }

    [Fact]
    public void AFileWithAnotherHeadLayoutIsRefused()
    {
        // The weight shapes of head layouts agree, so only the recorded layout can tell them apart.
        var context = new MLContext(seed: 1);
        var spec = ClassifierSpec.SmallCnn(10, 1, 8);
        var classifier = spec.Build();
        var head = new ExplainerHeadSpec(classifier.FeatureChannels, 7, 7, 28, 28).Build();
        using var explained = new ExplainedImageClassificationTransformer(new ExplainedClassifier(classifier, head), spec, null,
            new ExplainedImageClassificationTrainer.Options { RobustAttributionColumnName = "Robust" });
        var data = context.Data.LoadFromEnumerable(new[] { new Row() });
        string path = Path.Combine(Path.GetTempPath(), $"mlnetexplain-layout-{Guid.NewGuid():N}.zip");
        try
        {
            context.Model.SaveWithExplainers(explained, data.Schema, path);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.Single(e => e.FullName.EndsWith("settings.json", StringComparison.Ordinal));
                string json;
                using (var reader = new StreamReader(entry.Open()))
                {
                    json = reader.ReadToEnd();
                }

                Assert.Contains($"\"HeadLayout\":{ExplainerHead.Layout}", json.Replace(" ", ""));
                entry.Delete();
                using var writer = new StreamWriter(zip.CreateEntry(entry.FullName).Open(), Encoding.UTF8);
                writer.Write(json.Replace($"\"HeadLayout\": {ExplainerHead.Layout}", "\"HeadLayout\": 2").Replace($"\"HeadLayout\":{ExplainerHead.Layout}", "\"HeadLayout\":2"));
            }

            var ex = Assert.Throws<InvalidDataException>(() => context.Model.LoadWithExplainers(path, out _));
            Assert.Contains("Retrain the explainer", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void GradientAlignedTrainerKeepsSeed004sOptimiser()
    {
        var options = new GradientAlignedImageClassificationTrainer.Options();
        var core = new GradientAlignedClassifierTrainer.Options();
        Assert.Equal((core.Optimizer, core.LearningRate, core.WeightDecay), (options.Optimizer, options.LearningRate, options.WeightDecay));
        Assert.Equal(OptimizerKind.AdamW, options.Optimizer);
    }
}
