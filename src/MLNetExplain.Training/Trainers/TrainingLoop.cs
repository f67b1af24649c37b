using MLNetExplain.Data;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;
using MLNetExplain.Torch.Serialization;

namespace MLNetExplain.Training.Trainers;

/// <summary>What one training epoch reports.</summary>
internal sealed record EpochMetrics(double Loss, double Accuracy, double ImagesPerSecond);

/// <summary>Accumulates an epoch's loss, accuracy and throughput from each step's batch.</summary>
internal sealed class EpochMeter
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private double _lossSum;
    private long _correct;
    private long _seen;

    /// <summary>Adds one step: its mean loss and the logits and labels of its batch.</summary>
    public void Record(Tensor loss, Tensor logits, Tensor labels, int count)
    {
        using var noGrad = Torch.Torch.NoGrad();
        using var scope = Torch.Torch.NewDisposeScope();
        _lossSum += loss.ToDouble() * count;
        _correct += (long)logits.Argmax(1).Eq(labels).Sum().ToDouble();
        _seen += count;
    }

    /// <summary>The epoch's metrics; an epoch without rows is an error naming the stage.</summary>
    public EpochMetrics Finish(string stage) => _seen == 0
        ? throw new InvalidOperationException($"{stage}: the training data has no rows.")
        : new EpochMetrics(_lossSum / _seen, (double)_correct / _seen, _seen / _clock.Elapsed.TotalSeconds);
}

/// <summary>
/// The epoch loop shared by every trainer: optimiser and schedule from the options, resume from a checkpoint,
/// progress and log after each epoch, checkpoint after each epoch. Cancellation is checked inside the epochs.
/// </summary>
internal static class TrainingLoop
{
    public static Optimizer CreateOptimizer(IEnumerable<Tensor> parameters, ImageClassificationTrainer.Options o) => o.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(parameters, o.LearningRate, o.Momentum, o.WeightDecay, o.Nesterov),
        OptimizerKind.AdamW => Adam.AdamW(parameters, o.LearningRate, o.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(o), $"Unknown optimiser {o.Optimizer}."),
    };

    public static void Run(ExplainContext context, string stage, Module model, Optimizer optimizer, ImageClassificationTrainer.Options o,
        string configuration, Func<int, EpochMetrics> runEpoch, Func<double>? validation)
    {
        var schedule = CreateSchedule(optimizer, o);
        var start = o.ResumeFromCheckpoint && o.CheckpointPath is { } path && File.Exists(path)
            ? Checkpoint.Restore(path, model, optimizer, configuration)
            : 0;
        for (var e = 0; e < start; e++)
        {
            schedule?.Step();
        }

        for (var epoch = start; epoch < o.Epochs; epoch++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var m = runEpoch(epoch);
            schedule?.Step();
            var metrics = new Dictionary<string, double> { ["loss"] = m.Loss, ["accuracy"] = m.Accuracy, ["images/s"] = m.ImagesPerSecond };
            if (validation is not null)
            {
                metrics["validation accuracy"] = validation();
            }

            context.Progress?.Report(new ProgressReport(stage, epoch + 1, o.Epochs, metrics));
            context.WriteLog(stage, $"epoch {epoch + 1}/{o.Epochs}: " + string.Join(", ", metrics.Select(p => $"{p.Key} {p.Value:F4}")));
            if (o.CheckpointPath is { } checkpoint)
            {
                Checkpoint.Save(checkpoint, model, optimizer, configuration, epoch + 1);
            }
        }
    }

    private static LearningRateSchedule? CreateSchedule(Optimizer optimizer, ImageClassificationTrainer.Options o)
    {
        var span = Math.Max(1, o.Epochs - o.WarmupEpochs);
        Func<int, double, double>? main = o.Schedule switch
        {
            ScheduleKind.Constant => null,
            ScheduleKind.Step => (e, r) => r * Math.Pow(o.Gamma, e / Math.Max(1, o.StepSize)),
            ScheduleKind.MultiStep => (e, r) => r * Math.Pow(o.Gamma, o.Milestones.Count(m => m <= e)),
            ScheduleKind.Cosine => (e, r) => r * (1 + Math.Cos(Math.PI * Math.Min(e, span) / span)) / 2,
            _ => throw new ArgumentOutOfRangeException(nameof(o), $"Unknown schedule {o.Schedule}."),
        };
        if (main is null && o.WarmupEpochs == 0)
        {
            return null;
        }

        return LearningRateSchedule.LinearWarmup(optimizer, o.WarmupEpochs, o.WarmupEpochs == 0 ? 1 : 1.0 / (o.WarmupEpochs + 1), main);
    }
}

/// <summary>Training checkpoints: model and optimiser state in one safetensors file, with the epoch and configuration as metadata.</summary>
internal static class Checkpoint
{
    public static void Save(string path, Module model, Optimizer optimizer, string configuration, int epochsDone)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (k, v) in model.StateDict())
        {
            state["model." + k] = v;
        }

        foreach (var (k, v) in optimizer.StateDict())
        {
            state["optimizer." + k] = v;
        }

        SafeTensors.Save(path, state, new Dictionary<string, string>
        {
            ["epoch"] = epochsDone.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["configuration"] = configuration,
        });
    }

    public static int Restore(string path, Module model, Optimizer optimizer, string configuration)
    {
        var metadata = SafeTensors.LoadMetadata(path);
        if (!metadata.TryGetValue("configuration", out var saved) || saved != configuration)
        {
            throw new InvalidDataException($"Checkpoint '{path}' was written for another model configuration.");
        }

        var state = SafeTensors.Load(path);
        try
        {
            var device = model.Parameters()[0].Device;
            model.LoadStateDict(state.Where(p => p.Key.StartsWith("model.", StringComparison.Ordinal))
                .ToDictionary(p => p.Key["model.".Length..], p => p.Value));
            using var scope = Torch.Torch.NewDisposeScope();
            optimizer.LoadStateDict(state.Where(p => p.Key.StartsWith("optimizer.", StringComparison.Ordinal))
                .ToDictionary(p => p.Key["optimizer.".Length..], p => p.Value.To(device)));
            return int.Parse(metadata["epoch"], System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }
}
