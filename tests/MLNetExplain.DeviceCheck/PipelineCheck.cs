using MLNetExplain.Data;
using MLNetExplain.Data.Views;
using MLNetExplain.Torch;
using MLNetExplain.Training;
using MLNetExplain.Training.Explainer;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.DeviceCheck;

/// <summary>
/// Check f: the public pipeline on the device. An ExplainContext with a GPU device id fits explainer alignment (a
/// SmallCnn plus explainer head) on synthetic 1x28x28 images, transforms held-out rows, and the Score,
/// PredictedLabel and Attribution columns are read back; the model is saved from the device and reloaded on the CPU.
/// </summary>
internal static class PipelineCheck
{
    private const int Classes = 10;
    private const int Side = 28;

    public static void Run(CheckLog log)
    {
        log.Section("f. pipeline: ExplainContext(GpuDeviceId) -> ExplainerAlignment fit -> Transform -> columns");
        log.Run("f. pipeline", () => Pipeline(log));
    }

    /// <summary>
    /// Images with a 6x6 square at a random place on faint noise, its brightness set by the class (a cue that survives
    /// global average pooling, so a few steps learn it), and the square's mask as the "robust attribution" target.
    /// </summary>
    private static InMemoryDataView Synthetic(int rows, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[rows * Side * Side];
        var maps = new float[rows * Side * Side];
        var labels = new uint[rows];
        for (var i = 0; i < rows; i++)
        {
            var c = i % Classes;
            labels[i] = (uint)(c + 1); // keys are 1-based
            int top = random.Next(Side - 6), left = random.Next(Side - 6);
            var level = 0.25f + 0.075f * c;
            for (var r = 0; r < Side; r++)
            {
                for (var col = 0; col < Side; col++)
                {
                    var inside = r >= top && r < top + 6 && col >= left && col < left + 6;
                    var k = (i * Side + r) * Side + col;
                    pixels[k] = inside ? level : 0.1f * random.NextSingle();
                    maps[k] = inside ? 1 : 0;
                }
            }
        }

        return new InMemoryDataView.Builder()
            .AddVector("Features", pixels, 1, Side, Side)
            .AddKey("Label", labels, Classes, Enumerable.Range(0, Classes).Select(c => $"class {c}"))
            .AddVector("RobustAttribution", maps, 1, Side, Side)
            .Build();
    }

    private static ExplainerAlignmentTrainer.Options Options() => new()
    {
        Model = ClassifierSpec.SmallCnn(Classes, 1, 16),
        Epochs = 2, BatchSize = 64, LearningRate = 0.05, Schedule = ScheduleKind.Constant, Lambda = 0.35, Seed = 3,
        ScoringBatchSize = 32,
    };

    private static void Pipeline(CheckLog log)
    {
        var device = log.Device;
        var train = Synthetic(512, 1);
        var test = Synthetic(64, 2);
        var gpu = device.Type == DeviceType.Cuda ? Math.Max(device.Index, 0) : (int?)null;
        var context = new ExplainContext(new ExplainContextOptions { Seed = 1, GpuDeviceId = gpu, FallbackToCpu = false });
        context.Log += (_, e) => log.Info($"{e.Source}: {e.Message}");
        log.Check("f. ExplainContext device", context.Device.Type == device.Type, $"GpuDeviceId {gpu?.ToString() ?? "null"} -> {context.Device}");

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var model = context.MulticlassClassification.Trainers.ExplainerAlignment(Options()).Fit(train);
        var fitSeconds = started.Elapsed.TotalSeconds;
        var networkDevice = model.Network.Parameters()[0].Device;
        log.Check("f. fitted network lives on the device", networkDevice.Type == device.Type,
            $"{networkDevice}; fit of 2 epochs x 512 rows took {fitSeconds:F2} s");

        var scored = model.Transform(test);
        log.Check("f. output column types",
            scored.Schema["Score"].Type.Equals(new VectorDataViewType(NumberDataViewType.Single, Classes))
            && scored.Schema["PredictedLabel"].Type.Equals(new KeyDataViewType(Classes))
            && scored.Schema["Attribution"].Type.Equals(new VectorDataViewType(NumberDataViewType.Single, 1, Side, Side)),
            $"Score {scored.Schema["Score"].Type}, PredictedLabel {scored.Schema["PredictedLabel"].Type}, Attribution {scored.Schema["Attribution"].Type}");

        var scores = scored.GetColumn<float[]>("Score").ToList();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToList();
        var maps = scored.GetColumn<float[]>("Attribution").ToList();
        var labels = test.GetColumn<uint>("Label").ToList();
        log.Check("f. one output row per input row", scores.Count == 64 && predicted.Count == 64 && maps.Count == 64,
            $"{scores.Count}/{predicted.Count}/{maps.Count} rows");
        log.Check("f. Score: 10 finite probabilities summing to 1",
            scores.All(s => s.Length == Classes && s.All(float.IsFinite) && s.All(p => p >= 0) && Math.Abs(s.Sum() - 1) < 1e-4),
            $"first row sums to {scores[0].Sum():F6}");
        log.Check("f. PredictedLabel: keys 1..10, the argmax of Score",
            predicted.Zip(scores).All(p => p.First >= 1 && p.First <= Classes && p.First == Array.IndexOf(p.Second, p.Second.Max()) + 1),
            $"accuracy on held-out rows {predicted.Zip(labels).Count(p => p.First == p.Second) / 64.0:P0} (information only)");
        log.Check("f. Attribution: 1x28x28 finite maps, not constant",
            maps.All(m => m.Length == Side * Side && m.All(float.IsFinite)) && maps.Any(m => m.Max() > m.Min()),
            $"first map range [{maps[0].Min():F3}, {maps[0].Max():F3}]");

        // Saved from the device, reloaded (on the CPU): the CPU run of the same weights must agree.
        var path = Path.Combine(Path.GetTempPath(), $"mlx-devicecheck-{Environment.ProcessId}.zip");
        try
        {
            context.Model.Save(model, train.Schema, path);
            var loaded = new ExplainContext(seed: 1).Model.Load(path, out _);
            try
            {
                var reloaded = loaded.Transform(test);
                log.CompareArrays("f. reloaded on CPU: Score equals the device's", Flat(reloaded, "Score"), Flat(scored, "Score"), 1e-2, 5e-2);
                log.CompareArrays("f. reloaded on CPU: Attribution equals the device's", Flat(reloaded, "Attribution"),
                    Flat(scored, "Attribution"), 1e-2, 5e-2);
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        }
        finally
        {
            File.Delete(path);
        }

        // The same fit on the CPU: identical seeds and batch order, so only rounding (TF32 convolutions) separates them.
        var cpuContext = new ExplainContext(new ExplainContextOptions { Seed = 1 });
        using var cpuModel = cpuContext.MulticlassClassification.Trainers.ExplainerAlignment(Options()).Fit(train);
        var cpuScored = cpuModel.Transform(test);
        log.CompareArrays("f. device-trained vs CPU-trained Score (16 steps)", Flat(scored, "Score"), Flat(cpuScored, "Score"), 5e-2, 2e-1);
        log.CompareArrays("f. device-trained vs CPU-trained Attribution", Flat(scored, "Attribution"), Flat(cpuScored, "Attribution"), 5e-2, 2e-1);
    }

    private static float[] Flat(IDataView view, string column) => view.GetColumn<float[]>(column).SelectMany(r => r).ToArray();
}
