using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Engine;
using MLNetExplain.Attribution;
using MLNetExplain.Explainer;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// Seed 001's explainer alignment as an ML.NET trainer: trains a classifier f together with an explainer head E on
/// f's last feature map, minimising CE(f(x), y) + lambda * d(E(h), g) where g is the robust attribution of an
/// adversarially trained counterpart f' (read from a column, e.g. appended by <c>RobustAttribution</c>, or
/// computed on the fly by SmoothGrad of <see cref="Options.RobustModel"/>). The fitted transformer gives the
/// prediction and the heatmap in one forward pass. Reach it through
/// <c>mlContext.MulticlassClassification.Trainers.ExplainerAlignment(...)</c>.
/// </summary>
/// <remarks>
/// ML.NET gives third parties no access to the <c>MLContext</c> from a catalog, so the seed, the device and the
/// progress sink travel in <see cref="Options"/>.
/// </remarks>
public sealed class ExplainedImageClassificationTrainer : IEstimator<ExplainedImageClassificationTransformer>
{
    private const string Stage = "ExplainerAlignment";

    internal ExplainedImageClassificationTrainer(Options options)
    {
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        if ((options.RobustAttributionColumnName is null) == (options.RobustModel is null))
        {
            throw new ArgumentException($"{Stage}: give exactly one of RobustAttributionColumnName (precomputed robust attributions) or RobustModel (computed on the fly).", nameof(options));
        }

        if (options.PostHocClassifier is not null && options.Model is not null)
        {
            throw new ArgumentException($"{Stage}: give either Model (train f from scratch) or PostHocClassifier (keep a trained f frozen), not both.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ScoringBatchSize, 1, nameof(options.ScoringBatchSize));
        CoreOptions().Validate();
    }

    /// <summary>The settings.</summary>
    public Options TrainerOptions { get; }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = TrainerOptions;
        TrainingData.CheckLabel(inputSchema, o.LabelColumnName, Stage);

        if (o.RobustAttributionColumnName is { } targets)
        {
            var column = inputSchema.FirstOrDefault(c => c.Name == targets);
            if (column.Name is null || column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
            {
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{Stage}: robust attribution column '{targets}' " +
                    (column.Name is null ? "not found" : "is not a Single vector") + "; expected a Vector<Single, 1 or C, H, W> (e.g. from RobustAttribution).");
            }
        }

        var columns = ClassifierOutputs.Columns(o.ScoreColumnName, o.PredictedLabelColumnName, 1, null).ToList();
        columns.Add(new Stages.TensorOutputColumn(o.ExplanationColumnName, d => [1, d[1], d[2]]));
        return new Stages.BatchedTensorMap(Stage, o.FeatureColumnName, null, o.ScoringBatchSize, columns,
            () => throw new InvalidOperationException("Shape only.")).OutputShape(inputSchema);
    }

    /// <summary>Trains f and E on every row of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or the model does not fit the data.</exception>
    /// <exception cref="InvalidDataException">A row has a missing label, a wrong-sized image or NaN values.</exception>
    public ExplainedImageClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainerOptions;
        var shape = TrainingData.ImageShape(input.Schema, o.FeatureColumnName, Stage);
        int classes = TrainingData.ClassCount(input.Schema, o.LabelColumnName, Stage);
        var classNames = TrainingData.ClassNames(input.Schema[o.LabelColumnName]);
        ConvClassifier classifier;
        ClassifierSpec spec;
        if (o.PostHocClassifier is { } trained)
        {
            (classifier, spec) = (trained.Spec.Build(), trained.Spec);
            classifier.load_state_dict(trained.Model.state_dict());
        }
        else
        {
            spec = o.Model ?? ClassifierSpec.SmallCnn(classes, shape[0]);
            using var initialisation = new Generator((ulong)o.Seed);
            classifier = spec.Build(initialisation);
        }

        try
        {
            if (spec.NumClasses != classes || spec.InputChannels != shape[0])
            {
                throw new ArgumentException($"{Stage}: the classifier expects {spec.InputChannels}-channel images and {spec.NumClasses} classes; " +
                    $"the data has {shape[0]}-channel images in '{o.FeatureColumnName}' and {classes} classes in '{o.LabelColumnName}'.", nameof(input));
            }

            if (o.Device is not null)
            {
                classifier.to(o.Device);
            }

            // Checked before the rows are read: on-the-fly targets run f' on the classifier's device.
            var device = ModuleDevice.Of(classifier);
            if (o.RobustModel is { } robustModel && ModuleDevice.Of(robustModel) is var robustDevice
                && (robustDevice.type != device.type || robustDevice.index != device.index))
            {
                throw new ArgumentException($"{Stage}: Options.RobustModel is on {robustDevice} but the classifier trains on {device}; move it with robustModel.to(...) first.", nameof(input));
            }

            var (images, labels, targets) = TrainingData.Read(input, o.FeatureColumnName, o.LabelColumnName, Stage, o.CancellationToken, o.RobustAttributionColumnName);
            using (images)
            using (labels)
            using (targets)
            {
                var model = new ExplainerAlignmentTrainer(CoreOptions()).Fit(classifier, images, labels, targets, o.Progress, o.CancellationToken);
                return new ExplainedImageClassificationTransformer(model, spec, classNames, o);
            }
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    private ExplainerAlignmentOptions CoreOptions()
    {
        var o = TrainerOptions;
        return new ExplainerAlignmentOptions
        {
            Epochs = o.Epochs,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            Momentum = o.Momentum,
            WeightDecay = o.WeightDecay,
            DecayEpochs = o.DecayEpochs,
            WarmupSteps = o.WarmupSteps,
            Lambda = o.Lambda,
            Distance = o.Distance,
            TargetNormalization = o.TargetNormalization,
            RobustModel = o.RobustModel,
            RobustSmoothGrad = o.RobustSmoothGrad,
            PostHoc = o.PostHocClassifier is not null,
            HeadLayers = o.HeadLayers,
            Seed = o.Seed,
            CheckpointPath = o.CheckpointPath,
            ResumeFromCheckpoint = o.ResumeFromCheckpoint,
        };
    }

    /// <summary>Settings of <see cref="ExplainedImageClassificationTrainer"/>; defaults follow seed 001.</summary>
    public sealed class Options : ImageTrainerOptions
    {

        /// <summary>Precomputed robust attributions (<c>Vector&lt;Single, 1 or C, H, W&gt;</c>), or null to compute them with <see cref="RobustModel"/>.</summary>
        public string? RobustAttributionColumnName { get; set; }

        /// <summary>The robust counterpart f' whose SmoothGrad maps are the targets, when no column holds them.</summary>
        public nn.Module<Tensor, Tensor>? RobustModel { get; set; }

        /// <summary>SmoothGrad settings for targets computed on the fly.</summary>
        public SmoothGradOptions RobustSmoothGrad { get; set; } = new();

        /// <summary>The heatmap column the fitted model appends.</summary>
        public string ExplanationColumnName { get; set; } = "Explanation";

        /// <summary>A trained classifier to explain post hoc: it stays frozen and only the head trains.</summary>
        public ImageClassificationTransformer? PostHocClassifier { get; set; }

        /// <summary>Epochs between step decays of the learning rate.</summary>
        public int DecayEpochs { get; set; } = 10;

        /// <summary>Optimiser steps of linear learning-rate warm-up (keeps the head from collapsing early).</summary>
        public int WarmupSteps { get; set; } = 200;

        /// <summary>Weight of the alignment distance (seed 001: 0.35).</summary>
        public double Lambda { get; set; } = 0.35;

        /// <summary>The distance between the head's map and the robust attribution.</summary>
        public AlignmentDistance Distance { get; set; } = AlignmentDistance.L2;

        /// <summary>How the robust targets are normalised before the distance.</summary>
        public AttributionNormalization TargetNormalization { get; set; } = AttributionNormalization.MaxAbs;

        /// <summary>Convolution layers of the head before its output layer (seed 001: 4).</summary>
        public int HeadLayers { get; set; } = 4;

        /// <summary>Receives a report after every epoch.</summary>
        public IProgress<ExplainerAlignmentProgress>? Progress { get; set; }

    }
}
