using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using MLNetExplain.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// Trains an image classifier (a <see cref="ClassifierSpec"/> network on TorchSharp) from a key label column and a
/// <c>Vector&lt;Single, C, H, W&gt;</c> feature column with pixels in [0, 1], like ML.NET's multiclass trainers:
/// the fitted <see cref="ImageClassificationTransformer"/> appends <c>Score</c> and <c>PredictedLabel</c>.
/// Reach it through <c>mlContext.MulticlassClassification.Trainers.ImageClassification(...)</c>.
/// </summary>
/// <remarks>
/// ML.NET gives third parties no access to the <c>MLContext</c> from a catalog, so the seed, the device and the
/// progress sink travel in <see cref="Options"/>. Training reads all rows into memory once (images as float32).
/// </remarks>
public class ImageClassificationTrainer : IEstimator<ImageClassificationTransformer>
{
    /// <summary>The stage name used in error messages.</summary>
    protected virtual string Stage => "ImageClassification";

    internal ImageClassificationTrainer(Options options)
    {
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ScoringBatchSize, 1, nameof(options.ScoringBatchSize));
        CoreOptions().Validate();
    }

    /// <summary>The settings.</summary>
    public Options TrainerOptions { get; }

    /// <summary>The tensor-level trainer this estimator runs.</summary>
    private protected virtual ClassifierTrainer CreateTrainer() => new(CoreOptions());

    /// <summary>The tensor-level options of the training run.</summary>
    private protected virtual ClassifierTrainer.Options CoreOptions() => Common(new ClassifierTrainer.Options());

    private protected ClassifierTrainer.Options Common(ClassifierTrainer.Options core)
    {
        var o = TrainerOptions;
        return core with
        {
            Epochs = o.Epochs,
            BatchSize = o.BatchSize,
            Optimizer = o.Optimizer,
            LearningRate = o.LearningRate,
            Momentum = o.Momentum,
            WeightDecay = o.WeightDecay,
            Schedule = o.Schedule,
            WarmupEpochs = o.WarmupEpochs,
            Seed = o.Seed,
            CheckpointPath = o.CheckpointPath,
            ResumeFromCheckpoint = o.ResumeFromCheckpoint,
        };
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = TrainerOptions;
        TrainingData.CheckLabel(inputSchema, o.LabelColumnName, Stage);

        // The map checks the feature column; the sizes (classes, image shape) are only known from data.
        return Scoring(o, classes: 1, classNames: null).OutputShape(inputSchema);
    }

    /// <summary>Trains the classifier on every row of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or the model spec does not fit the data.</exception>
    /// <exception cref="InvalidDataException">A row has a missing label, a wrong-sized image or NaN pixels.</exception>
    public ImageClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainerOptions;
        var shape = TrainingData.ImageShape(input.Schema, o.FeatureColumnName, Stage);
        int classes = TrainingData.ClassCount(input.Schema, o.LabelColumnName, Stage);
        var classNames = TrainingData.ClassNames(input.Schema[o.LabelColumnName]);
        var spec = o.Model ?? DefaultSpec(classes, shape[0]);
        if (spec.NumClasses != classes || spec.InputChannels != shape[0])
        {
            throw new ArgumentException($"{Stage}: the model spec expects {spec.InputChannels}-channel images and {spec.NumClasses} classes; " +
                $"the data has {shape[0]}-channel images in '{o.FeatureColumnName}' and {classes} classes in '{o.LabelColumnName}'.", nameof(input));
        }

        ConvClassifier model;
        using (var initialisation = new Generator((ulong)o.Seed))
        {
            model = spec.Build(initialisation);
        }

        try
        {
            if (o.Device is not null)
            {
                model.to(o.Device);
            }

            var (images, labels) = TrainingData.Read(input, o.FeatureColumnName, o.LabelColumnName, Stage, o.CancellationToken);
            using (images)
            using (labels)
            {
                CreateTrainer().Train(model, images, labels, o.Progress, o.CancellationToken);
            }

            return new ImageClassificationTransformer(model, spec, classNames, o);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The network trained when the options name none.</summary>
    private protected virtual ClassifierSpec DefaultSpec(int classes, int channels) => ClassifierSpec.SmallCnn(classes, channels);

    internal static BatchedTensorMap Scoring(Options o, int classes, IReadOnlyList<string>? classNames) =>
        new("ImageClassification", o.FeatureColumnName, null, o.ScoringBatchSize,
            ClassifierOutputs.Columns(o.ScoreColumnName, o.PredictedLabelColumnName, classes, classNames),
            () => throw new InvalidOperationException("Shape only."));

    /// <summary>Settings of <see cref="ImageClassificationTrainer"/> and the trainers derived from it.</summary>
    public class Options : ImageTrainerOptions
    {

        /// <summary>The optimiser.</summary>
        public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

        /// <summary>The learning-rate schedule over epochs.</summary>
        public ScheduleKind Schedule { get; set; } = ScheduleKind.Cosine;

        /// <summary>Epochs of linear learning-rate warm-up.</summary>
        public int WarmupEpochs { get; set; }

        /// <summary>Receives a report after every epoch.</summary>
        public IProgress<TrainingProgress>? Progress { get; set; }

    }
}
