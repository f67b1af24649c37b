using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Trainers;

/// <summary>Optimisers the classifier trainers offer.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (and optional Nesterov momentum), L2 weight decay.</summary>
    Sgd,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}

/// <summary>Learning-rate schedules, stepped once per epoch.</summary>
public enum ScheduleKind
{
    /// <summary>A constant rate.</summary>
    Constant,
    /// <summary>Multiply by Gamma every StepSize epochs.</summary>
    Step,
    /// <summary>Multiply by Gamma at each milestone epoch.</summary>
    MultiStep,
    /// <summary>Cosine annealing to zero over the run.</summary>
    Cosine,
}

/// <summary>
/// Standard supervised training of an image classifier on a data view (cross-entropy). The fitted transformer
/// scores images and exposes the network. Subclasses change the loss (adversarial and gradient-aligned training).
/// </summary>
public class ImageClassificationTrainer : IEstimator<ImageClassificationTransformer>
{
    private readonly ExplainContext _context;

    /// <summary>Creates the trainer; use the catalog (<c>context.MulticlassClassification.Trainers</c>).</summary>
    protected internal ImageClassificationTrainer(ExplainContext context, Options options)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Epochs < 0 || options.BatchSize < 1 || !(options.LearningRate >= 0))
        {
            throw new ArgumentException("Epochs must be >= 0, BatchSize >= 1 and LearningRate >= 0.");
        }
    }

    /// <summary>The settings.</summary>
    public Options TrainerOptions { get; }

    /// <summary>A name for messages and progress.</summary>
    protected virtual string StageName => "ImageClassification";

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var features = ImageClassificationTransformer.CheckFeatures(inputSchema, TrainerOptions.FeatureColumnName, null, StageName);
        var label = inputSchema.Require(TrainerOptions.LabelColumnName, "a key label (class indices)",
            c => c.Kind == SchemaShape.VectorKind.Scalar && c.IsKey, StageName);
        var classes = (int)((KeyDataViewType)label.ItemType).Count;
        if (TrainerOptions.Model is { } spec && (spec.NumClasses != classes || spec.InputChannels != features.Dimensions[0]))
        {
            throw new SchemaMismatchException(StageName, TrainerOptions.LabelColumnName,
                $"a key with {spec.NumClasses} classes and features with {spec.InputChannels} channels (the model's shape)",
                $"{classes} classes and {features.Dimensions[0]} channels");
        }

        return inputSchema.With(
            new SchemaShape.Column(TrainerOptions.ScoreColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false, [classes]),
            new SchemaShape.Column(TrainerOptions.PredictedLabelColumnName, SchemaShape.VectorKind.Scalar, new KeyDataViewType((ulong)classes), true, [],
                label.KeyValues));
    }

    /// <summary>
    /// Trains for <see cref="Options.Epochs"/> epochs, reporting progress to the context and honouring its
    /// cancellation token; with a checkpoint path it saves after every epoch and can resume from it.
    /// </summary>
    public ImageClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainerOptions;
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var features = SchemaShape.Column.From(input.Schema[o.FeatureColumnName]);
        var label = input.Schema[o.LabelColumnName];
        var classes = (int)((KeyDataViewType)label.Type).Count;
        var spec = o.Model ?? DefaultModel(classes, features.Dimensions[0]);
        var seed = o.Seed ?? _context.NextSeed();
        var device = o.Device ?? _context.Device;
        var token = _context.CancellationToken;

        using var generator = new Generator((ulong)seed);
        var model = spec.Build(generator);
        try
        {
            model.To(device);
            using var optimizer = TrainingLoop.CreateOptimizer(model.Parameters(), o);
            TrainingLoop.Run(_context, StageName, model, optimizer, o, System.Text.Json.JsonSerializer.Serialize(spec),
                epoch => RunEpoch(model, optimizer, input, epoch, seed, generator, device, token),
                o.ValidationSet is { } validation ? () => Accuracy(model, validation, device, token) : null);
            var classNames = label.Annotations.KeyValues?.ToArray();
            return new ImageClassificationTransformer(model, spec, new ScoringSettings(o.FeatureColumnName, o.ScoreColumnName,
                o.PredictedLabelColumnName, [.. features.Dimensions], classNames, o.ScoringBatchSize));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The network used when <see cref="Options.Model"/> is null: the compact ResNet.</summary>
    protected virtual ClassifierSpec DefaultModel(int classes, int channels) => ClassifierSpec.CompactResNet(classes, channels);

    /// <summary>
    /// The training loss of one batch (x in [0, 1], y class indices) with the model in training mode; also returns
    /// the logits used for the running accuracy. Called inside a dispose scope per step.
    /// </summary>
    protected virtual (Tensor Loss, Tensor Logits) ComputeLoss(ConvClassifier model, Tensor x, Tensor y, Generator generator)
    {
        var logits = model.Forward(x);
        return (Functional.CrossEntropy(logits, y), logits);
    }

    private EpochMetrics RunEpoch(ConvClassifier model, Optimizer optimizer, IDataView data,
        int epoch, int seed, Generator generator, Device device, CancellationToken token)
    {
        model.Train();
        var meter = new EpochMeter();
        using var batches = new TensorBatchCursor(data, TrainerOptions.FeatureColumnName, TrainerOptions.BatchSize,
            TrainerOptions.LabelColumnName, new Random(unchecked(seed + epoch)), device);
        while (batches.MoveNext())
        {
            token.ThrowIfCancellationRequested();
            using var scope = Torch.Torch.NewDisposeScope();
            var (loss, logits) = ComputeLoss(model, batches.Features, batches.Labels!, generator);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            meter.Record(loss, logits, batches.Labels!, batches.Count);
        }

        return meter.Finish(StageName);
    }

    internal double Accuracy(ConvClassifier model, IDataView data, Device device, CancellationToken token)
    {
        model.Eval();
        long correct = 0, seen = 0;
        using var batches = new TensorBatchCursor(data, TrainerOptions.FeatureColumnName, TrainerOptions.ScoringBatchSize,
            TrainerOptions.LabelColumnName, device: device);
        while (batches.MoveNext())
        {
            token.ThrowIfCancellationRequested();
            using var scope = Torch.Torch.NewDisposeScope();
            using var noGrad = Torch.Torch.NoGrad();
            correct += (long)model.Forward(batches.Features).Argmax(1).Eq(batches.Labels!).Sum().ToDouble();
            seen += batches.Count;
        }

        return seen == 0 ? 0 : (double)correct / seen;
    }

    /// <summary>Options shared by the image classifier trainers. Defaults suit CIFAR-style training with SGD.</summary>
    public class Options
    {
        /// <summary>The key label column.</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The image column: a Single vector [C, H, W] with pixels in [0, 1].</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>The probabilities column written.</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>The predicted key column written.</summary>
        public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

        /// <summary>The network; null builds the compact ResNet sized from the data.</summary>
        public ClassifierSpec? Model { get; set; }

        /// <summary>Passes over the training data.</summary>
        public int Epochs { get; set; } = 10;

        /// <summary>Images per step.</summary>
        public int BatchSize { get; set; } = 128;

        /// <summary>The optimiser.</summary>
        public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

        /// <summary>The initial learning rate.</summary>
        public double LearningRate { get; set; } = 0.1;

        /// <summary>SGD momentum.</summary>
        public double Momentum { get; set; } = 0.9;

        /// <summary>SGD Nesterov momentum.</summary>
        public bool Nesterov { get; set; }

        /// <summary>Weight decay (L2 for SGD, decoupled for AdamW).</summary>
        public double WeightDecay { get; set; } = 5e-4;

        /// <summary>The learning-rate schedule, stepped per epoch.</summary>
        public ScheduleKind Schedule { get; set; } = ScheduleKind.Cosine;

        /// <summary>Epochs between decays for <see cref="ScheduleKind.Step"/>.</summary>
        public int StepSize { get; set; } = 30;

        /// <summary>Decay epochs for <see cref="ScheduleKind.MultiStep"/>.</summary>
        public int[] Milestones { get; set; } = [];

        /// <summary>Decay factor for step schedules.</summary>
        public double Gamma { get; set; } = 0.1;

        /// <summary>Epochs of linear warm-up before the schedule.</summary>
        public int WarmupEpochs { get; set; }

        /// <summary>Data whose accuracy is reported after every epoch.</summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>Seed of initialisation, shuffling and any random perturbation; null takes the context's next seed.</summary>
        public int? Seed { get; set; }

        /// <summary>The device; null uses the context's.</summary>
        public Device? Device { get; set; }

        /// <summary>Where to save a checkpoint after every epoch (atomically); null for none.</summary>
        public string? CheckpointPath { get; set; }

        /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
        public bool ResumeFromCheckpoint { get; set; }

        /// <summary>Images per batch when the fitted transformer scores.</summary>
        public int ScoringBatchSize { get; set; } = 256;
    }
}
