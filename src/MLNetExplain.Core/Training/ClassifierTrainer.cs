using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetExplain.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// Standard supervised training of an image classifier (cross-entropy) on tensors or a batch source. Subclasses
/// change the loss: <see cref="AdversarialClassifierTrainer"/> (PGD adversarial training) and
/// <see cref="GradientAlignedClassifierTrainer"/> (seed 004).
/// </summary>
/// <remarks>
/// The model is any module that maps images [N, C, H, W] in [0, 1] to logits: an MLNetExplain model, a user's
/// TorchSharp <c>nn.Module&lt;Tensor, Tensor&gt;</c>, or a TorchScript module (<c>torch.jit.load&lt;Tensor, Tensor&gt;</c>); it is trained in
/// place, on the device of its parameters, and left in eval mode. Each optimiser step runs in its own dispose scope,
/// so memory stays flat over long runs. Runs are deterministic for a given seed and initial model on the CPU, and a
/// run resumed from its checkpoint equals the uninterrupted run: each epoch's shuffling and random draws come from
/// (seed, epoch), and the learning rate is a function of the epoch.
/// </remarks>
public class ClassifierTrainer
{
    private static readonly JsonSerializerOptions ConfigurationJson = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Creates the trainer.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public ClassifierTrainer(Options? options = null)
    {
        TrainerOptions = options ?? new Options();
        TrainerOptions.Validate();
    }

    /// <summary>The settings.</summary>
    public Options TrainerOptions { get; }

    /// <summary>Trains <paramref name="model"/> on images and labels held in tensors, shuffled every epoch.</summary>
    /// <typeparam name="TModel">A TorchSharp module (<c>nn.Module&lt;Tensor, Tensor&gt;</c>) or a TorchScript module (<c>jit.ScriptModule&lt;Tensor, Tensor&gt;</c>).</typeparam>
    /// <param name="model">The classifier, trained in place.</param>
    /// <param name="images">Training images [N, C, H, W] in [0, 1] (any device; batches move to the model's).</param>
    /// <param name="labels">Class indices, int64 [N].</param>
    /// <param name="progress">Receives a report after every epoch.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The report of every epoch run by this call.</returns>
    /// <exception cref="ArgumentException">Shapes, types, pixel range or labels are wrong.</exception>
    public IReadOnlyList<TrainingProgress> Train<TModel>(TModel model, Tensor images, Tensor labels,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor> =>
        Train(model, new TensorBatchSource(images, labels, TrainerOptions.BatchSize, shuffle: true, TrainerOptions.Seed), progress, cancellationToken);

    /// <summary>Trains <paramref name="model"/> on the batches of <paramref name="batches"/>.</summary>
    /// <typeparam name="TModel">A TorchSharp module or a TorchScript module.</typeparam>
    /// <param name="model">The classifier, trained in place.</param>
    /// <param name="batches">Gives each epoch's batches.</param>
    /// <param name="progress">Receives a report after every epoch.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <returns>The report of every epoch run by this call.</returns>
    public IReadOnlyList<TrainingProgress> Train<TModel>(TModel model, IBatchSource batches,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        var o = TrainerOptions;
        var parameters = model.parameters().ToList();
        if (parameters.Count == 0)
        {
            throw new ArgumentException("The model has no parameters to train.", nameof(model));
        }

        ModuleProtection.Protect(model);
        var device = parameters[0].device;
        using var optimizer = CreateOptimizer(parameters);
        string configuration = Configuration();
        int start = 0;
        long steps = 0;
        if (o.ResumeFromCheckpoint && o.CheckpointPath is { } path && File.Exists(path))
        {
            (start, steps) = TrainingCheckpoint.Restore(path, model, optimizer, configuration);
        }

        var reports = new List<TrainingProgress>();
        try
        {
            for (int epoch = start; epoch < o.Epochs; epoch++)
            {
                double learningRate = LearningRates.ForEpoch(o, epoch);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = learningRate;
                }

                using var generator = new Generator(TrainingSeeds.ForEpoch(o.Seed, epoch, stream: 2), device);
                var meter = new EpochMeter();
                model.train();
                using var enumerator = batches.Batches(epoch).GetEnumerator();
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // The batch is produced inside the step's scope, so the source's tensors go with the step.
                    using var scope = NewDisposeScope();
                    if (!enumerator.MoveNext())
                    {
                        break;
                    }

                    var (images, labels) = enumerator.Current;
                    LabelledBatch.Check(images, labels, unitRange: o.CheckPixelRange);
                    images = images.to(device);
                    labels = labels.to(device);
                    var (loss, logits) = ComputeLoss(model, images, labels, generator);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    steps++;
                    meter.Record(loss, logits, labels);
                }

                var report = meter.Finish(epoch, o.Epochs, steps, learningRate);
                if (o.CheckpointPath is { } checkpoint)
                {
                    TrainingCheckpoint.Save(checkpoint, model, optimizer, configuration, epoch + 1, steps);
                }

                reports.Add(report);
                progress?.Report(report);
            }
        }
        finally
        {
            model.eval();
        }

        return reports;
    }

    /// <summary>
    /// The loss of one batch with the model in training mode, and the logits used for the running accuracy. Runs
    /// inside the step's dispose scope.
    /// </summary>
    /// <typeparam name="TModel">A TorchSharp module or a TorchScript module.</typeparam>
    /// <param name="model">The classifier.</param>
    /// <param name="images">The batch [B, C, H, W] in [0, 1], on the model's device.</param>
    /// <param name="labels">Class indices [B].</param>
    /// <param name="generator">This epoch's random stream (attack starts, noise), on the model's device.</param>
    protected virtual (Tensor Loss, Tensor Logits) ComputeLoss<TModel>(TModel model, Tensor images, Tensor labels, Generator generator)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor>
    {
        var logits = model.call(images);
        LabelledBatch.CheckLogits(logits, labels);
        return (nn.functional.cross_entropy(logits, labels), logits);
    }

    private optim.Optimizer CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        var o = TrainerOptions;
        return o.Optimizer switch
        {
            OptimizerKind.Sgd => optim.SGD(parameters, o.LearningRate, o.Momentum, 0, o.WeightDecay, o.Nesterov),
            OptimizerKind.Adam => optim.Adam(parameters, o.LearningRate, 0.9, 0.999, 1e-8, o.WeightDecay),
            OptimizerKind.AdamW => optim.AdamW(parameters, o.LearningRate, 0.9, 0.999, 1e-8, o.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(parameters), o.Optimizer, "Unknown optimiser."),
        };
    }

    // What a checkpoint must have been written with: every setting that shapes the run except its length and the
    // checkpoint's own settings (so a finished run can be continued for more epochs).
    private string Configuration() =>
        GetType().Name + ":" + JsonSerializer.Serialize(TrainerOptions with { Epochs = 0, CheckpointPath = null, ResumeFromCheckpoint = false },
            TrainerOptions.GetType(), ConfigurationJson);

    /// <summary>Settings shared by the classifier trainers. Defaults follow the robustness library's CIFAR recipe with a cosine schedule.</summary>
    public record Options
    {
        /// <summary>Passes over the training data. Default 10.</summary>
        public int Epochs { get; init; } = 10;

        /// <summary>Images per step (for the tensor overload of Train). Default 128.</summary>
        public int BatchSize { get; init; } = 128;

        /// <summary>The optimiser. Default SGD.</summary>
        public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

        /// <summary>The initial learning rate. Default 0.1.</summary>
        public double LearningRate { get; init; } = 0.1;

        /// <summary>SGD momentum. Default 0.9.</summary>
        public double Momentum { get; init; } = 0.9;

        /// <summary>SGD Nesterov momentum. Default false.</summary>
        public bool Nesterov { get; init; }

        /// <summary>Weight decay (L2 for SGD and Adam, decoupled for AdamW). Default 5e-4.</summary>
        public double WeightDecay { get; init; } = 5e-4;

        /// <summary>The learning-rate schedule, applied per epoch. Default cosine.</summary>
        public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

        /// <summary>Epochs between decays for <see cref="ScheduleKind.Step"/>. Default 30.</summary>
        public int StepSize { get; init; } = 30;

        /// <summary>Decay epochs (from the start of the run) for <see cref="ScheduleKind.MultiStep"/>. Default none.</summary>
        public IReadOnlyList<int> Milestones { get; init; } = [];

        /// <summary>Decay factor of the step schedules. Default 0.1.</summary>
        public double Gamma { get; init; } = 0.1;

        /// <summary>Epochs of linear warm-up before the schedule. Default 0.</summary>
        public int WarmupEpochs { get; init; }

        /// <summary>Seed of shuffling and of every random draw during training (attack starts, noise). Default 0.</summary>
        public long Seed { get; init; }

        /// <summary>Where to write a checkpoint after every epoch (atomically); null for none.</summary>
        public string? CheckpointPath { get; init; }

        /// <summary>Continue from <see cref="CheckpointPath"/> when it exists. Default false.</summary>
        public bool ResumeFromCheckpoint { get; init; }

        /// <summary>Check that every batch's pixels lie in [0, 1] (one min/max per batch). Default true.</summary>
        public bool CheckPixelRange { get; init; } = true;

        /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
        public virtual void Validate()
        {
            Require(Epochs >= 0, nameof(Epochs), $"must be >= 0; got {Epochs}");
            Require(BatchSize >= 1, nameof(BatchSize), $"must be >= 1; got {BatchSize}");
            Require(Enum.IsDefined(Optimizer), nameof(Optimizer), $"unknown value {(int)Optimizer}");
            Require(Enum.IsDefined(Schedule), nameof(Schedule), $"unknown value {(int)Schedule}");
            Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), $"must be positive; got {LearningRate}");
            Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), $"must be in [0, 1); got {Momentum}");
            Require(!Nesterov || Momentum > 0, nameof(Nesterov), "needs a positive Momentum");
            Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), $"must be >= 0; got {WeightDecay}");
            Require(StepSize >= 1, nameof(StepSize), $"must be >= 1; got {StepSize}");
            Require(Gamma > 0 && double.IsFinite(Gamma), nameof(Gamma), $"must be positive; got {Gamma}");
            Require(WarmupEpochs >= 0, nameof(WarmupEpochs), $"must be >= 0; got {WarmupEpochs}");
            Require(Milestones is not null && Milestones.All(m => m >= 0), nameof(Milestones), "must be epochs >= 0");
            Require(!ResumeFromCheckpoint || CheckpointPath is not null, nameof(ResumeFromCheckpoint), "needs a CheckpointPath");
        }

        /// <summary>Throws <see cref="ArgumentException"/> for setting <paramref name="name"/> unless <paramref name="condition"/> holds.</summary>
        /// <param name="condition">What must hold.</param>
        /// <param name="name">The setting.</param>
        /// <param name="message">What is wrong.</param>
        protected static void Require(bool condition, string name, string message)
        {
            if (!condition)
            {
                throw new ArgumentException($"Training option {name}: {message}.", name);
            }
        }
    }
}
