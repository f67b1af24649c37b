using MLNetExplain.Attribution.Methods;
using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Explainer;

/// <summary>The distance between the explainer's map and the robust attribution.</summary>
public enum AlignmentDistance
{
    /// <summary>mean_b ||E(h_b) - g_b||_2: seed 001's Eq. 5 as written.</summary>
    L2,
    /// <summary>mean_b ||E(h_b) - g_b||_2^2.</summary>
    SquaredL2,
    /// <summary>The mean of squared differences over every element (MSE).</summary>
    MeanSquared,
}

/// <summary>
/// Seed 001's explainer alignment: trains a classifier f jointly with an <see cref="ExplainerHead"/> E on f's last
/// feature map h, minimising CE(f(x), y) + lambda * d(E(h), g(f', x)) where g is the robust attribution of the
/// adversarially trained counterpart f' (read from a column, or computed on the fly by SmoothGrad). In post-hoc
/// mode an existing classifier is frozen and only E is trained (the cross-entropy term then vanishes).
/// </summary>
public sealed class ExplainerAlignmentTrainer : IEstimator<ExplainedClassifierTransformer>
{
    private readonly ExplainContext _context;

    internal ExplainerAlignmentTrainer(ExplainContext context, Options options)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        TrainerOptions = options ?? throw new ArgumentNullException(nameof(options));
        if (options.RobustModel is null && options.RobustAttributionColumnName is null)
        {
            throw new ArgumentException("Give either RobustAttributionColumnName (precomputed targets) or RobustModel (targets on the fly).");
        }

        if (!(options.Lambda >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Lambda must be non-negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.WarmupSteps, nameof(options.WarmupSteps));
    }

    /// <summary>The settings.</summary>
    public Options TrainerOptions { get; }

    private const string Stage = "ExplainerAlignment";

    private bool OnTheFly => TrainerOptions.RobustModel is not null;

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var o = TrainerOptions;
        var features = ImageClassificationTransformer.CheckFeatures(inputSchema, o.FeatureColumnName, null, Stage);
        var label = inputSchema.Require(o.LabelColumnName, "a key label (class indices)", c => c.Kind == SchemaShape.VectorKind.Scalar && c.IsKey, Stage);
        var classes = (int)((KeyDataViewType)label.ItemType).Count;
        var mapChannels = 1;
        if (!OnTheFly)
        {
            var target = inputSchema.Require(o.RobustAttributionColumnName!, $"a Single vector [1 or {features.Dimensions[0]}, {features.Dimensions[1]}, {features.Dimensions[2]}] (robust attributions)",
                c => c.Kind == SchemaShape.VectorKind.Vector && c.ItemType == NumberDataViewType.Single && c.Dimensions.Count == 3
                    && (c.Dimensions[0] == 1 || c.Dimensions[0] == features.Dimensions[0]) && c.Dimensions[1] == features.Dimensions[1]
                    && c.Dimensions[2] == features.Dimensions[2], Stage);
            mapChannels = target.Dimensions[0];
        }

        var spec = o.PostHocClassifier?.Spec ?? o.Model;
        if (spec is not null && (spec.NumClasses != classes || spec.InputChannels != features.Dimensions[0]))
        {
            throw new SchemaMismatchException(Stage, o.LabelColumnName, $"{spec.NumClasses} classes and {spec.InputChannels}-channel features (the classifier's shape)",
                $"{classes} classes and {features.Dimensions[0]} channels");
        }

        return inputSchema.With(
            new SchemaShape.Column(o.ScoreColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false, [classes]),
            new SchemaShape.Column(o.PredictedLabelColumnName, SchemaShape.VectorKind.Scalar, new KeyDataViewType((ulong)classes), true, [], label.KeyValues),
            new SchemaShape.Column(o.AttributionColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false,
                [mapChannels, features.Dimensions[1], features.Dimensions[2]]));
    }

    /// <summary>Trains f and E (or E alone in post-hoc mode), reporting progress per epoch.</summary>
    public ExplainedClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainerOptions;
        var shape = GetOutputSchema(SchemaShape.Create(input.Schema));
        var dims = shape.Find(o.FeatureColumnName)!.Dimensions;
        var mapChannels = shape.Find(o.AttributionColumnName)!.Dimensions[0];
        var label = input.Schema[o.LabelColumnName];
        var classes = (int)((KeyDataViewType)label.Type).Count;
        var seed = o.Seed ?? _context.NextSeed();
        var device = o.Device ?? _context.Device;
        var postHoc = o.PostHocClassifier is not null;
        var spec = o.PostHocClassifier?.Spec ?? o.Model ?? ClassifierSpec.CompactResNet(classes, dims[0]);

        using var generator = new Generator((ulong)seed);
        // The classifier is built first from the seed, so lambda = 0 trains exactly what ImageClassification would.
        var classifier = spec.Build(generator);
        ExplainedClassifier? network = null;
        try
        {
            classifier.To(device);
            if (o.PostHocClassifier is { } frozen)
            {
                classifier.LoadStateDict(frozen.Model.StateDict());
            }

            var head = HeadSpec(classifier, dims, mapChannels, device);
            network = new ExplainedClassifier(classifier, head.Build(generator));
            network.To(device);
            var trainable = postHoc ? network.Explainer.Parameters() : network.Parameters();
            using var optimizer = TrainingLoop.CreateOptimizer(trainable, o);
            var robust = o.RobustModel is { } r ? new SmoothGrad(r.Model.Forward, o.RobustSmoothGrad) : null;
            o.RobustModel?.Model.Eval();
            var stepsPerEpoch = o.WarmupSteps == 0 ? 0 : StepsPerEpoch(input, o.BatchSize);
            TrainingLoop.Run(_context, Stage, network, optimizer, o,
                System.Text.Json.JsonSerializer.Serialize(new { spec, head, postHoc }),
                epoch => RunEpoch(network, optimizer, input, epoch, epoch * stepsPerEpoch, seed, generator, device, robust, postHoc), null);
            return new ExplainedClassifierTransformer(network, spec, head, new ExplainedClassifierTransformer.Settings(o.FeatureColumnName,
                o.ScoreColumnName, o.PredictedLabelColumnName, o.AttributionColumnName, label.Annotations.KeyValues?.ToArray(), o.ScoringBatchSize));
        }
        catch
        {
            if (network is null)
            {
                classifier.Dispose();
            }
            else
            {
                network.Dispose();
            }

            throw;
        }
    }

    // The feature map's size comes from one probe forward pass.
    private static ExplainerHeadSpec HeadSpec(ConvClassifier classifier, IReadOnlyList<int> dims, int mapChannels, Device device)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        using var noGrad = Torch.Torch.NoGrad();
        var wasTraining = classifier.IsTraining;
        classifier.Eval();
        var h = classifier.Features(Tensor.Zeros([1, dims[0], dims[1], dims[2]], device: device));
        classifier.Train(wasTraining);
        if (h.Dim != 4)
        {
            throw new InvalidOperationException(
                $"{Stage}: the classifier's Features must return a convolutional map [N, C, h, w]; it returned [{string.Join(", ", h.Shape)}].");
        }

        return new ExplainerHeadSpec(h.Size(1), (int)h.Size(2), (int)h.Size(3), dims[1], dims[2], mapChannels, 4);
    }

    // The step count of earlier epochs is derived from the row count, so a resumed run warms up exactly as an
    // uninterrupted one.
    private static long StepsPerEpoch(IDataView data, int batchSize)
    {
        var rows = data.GetRowCount();
        if (rows is null)
        {
            rows = 0;
            using var cursor = data.GetRowCursor([]);
            while (cursor.MoveNext())
            {
                rows++;
            }
        }

        return (rows.Value + batchSize - 1) / batchSize;
    }

    private EpochMetrics RunEpoch(ExplainedClassifier network, Torch.Optim.Optimizer optimizer, IDataView data, int epoch, long step,
        int seed, Generator generator, Device device, SmoothGrad? robust, bool postHoc)
    {
        var o = TrainerOptions;
        var epochRate = optimizer.LearningRate;
        network.Train();
        if (postHoc)
        {
            network.Classifier.Eval();
        }

        var meter = new EpochMeter();
        string[] extra = robust is null ? [o.RobustAttributionColumnName!] : [];
        using var batches = new TensorBatchCursor(data, o.FeatureColumnName, o.BatchSize, o.LabelColumnName,
            new Random(unchecked(seed + epoch)), device, extra);
        while (batches.MoveNext())
        {
            _context.CancellationToken.ThrowIfCancellationRequested();
            using var scope = Torch.Torch.NewDisposeScope();
            var x = batches.Features;
            var y = batches.Labels!;
            var target = robust is null
                ? batches.Extras[0]
                : AttributionPostprocessing.Apply(robust.Attribute(x, y, generator), network.Explainer.OutputChannels == 1 ? ChannelReduction.Sum : ChannelReduction.None,
                    AttributionNormalization.None);
            target = AttributionPostprocessing.Apply(target, ChannelReduction.None, o.TargetNormalization);
            Tensor logits, map;
            if (postHoc)
            {
                Tensor h;
                using (Torch.Torch.NoGrad())
                {
                    h = network.Classifier.Features(x);
                    logits = network.Classifier.Classify(h);
                }

                map = network.Explainer.Forward(h);
            }
            else
            {
                (logits, map) = network.ForwardBoth(x);
            }

            var distance = Distance(map, target, o.Distance);
            var loss = postHoc ? distance * o.Lambda : Functional.CrossEntropy(logits, y) + distance * o.Lambda;
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.LearningRate = step < o.WarmupSteps ? epochRate * (step + 1) / o.WarmupSteps : epochRate;
            optimizer.Step();
            step++;
            meter.Record(loss, logits, y, batches.Count);
        }

        optimizer.LearningRate = epochRate;
        return meter.Finish(Stage);
    }

    /// <summary>The alignment distance between maps and targets [N, C, H, W], averaged over the batch.</summary>
    public static Tensor Distance(Tensor map, Tensor target, AlignmentDistance distance)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var squares = (map - target).Square().Flatten(1).Sum(1);
        var result = distance switch
        {
            // The epsilon keeps the square root differentiable when a map matches its target exactly.
            AlignmentDistance.L2 => (squares + 1e-12).Sqrt().Mean(),
            AlignmentDistance.SquaredL2 => squares.Mean(),
            AlignmentDistance.MeanSquared => Functional.MseLoss(map, target),
            _ => throw new ArgumentOutOfRangeException(nameof(distance)),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Options: those of classifier training plus the alignment's. Defaults follow seed 001.</summary>
    public sealed class Options : ImageClassificationTrainer.Options
    {
        /// <summary>Creates options with seed 001's training settings: SGD momentum 0.9, lr 0.1, step decay, batch 256.</summary>
        public Options()
        {
            BatchSize = 256;
            Schedule = ScheduleKind.Step;
            StepSize = 10;
        }

        /// <summary>Weight of the alignment distance (0.35 in seed 001).</summary>
        public double Lambda { get; set; } = 0.35;

        /// <summary>The distance.</summary>
        public AlignmentDistance Distance { get; set; } = AlignmentDistance.L2;

        /// <summary>
        /// Optimiser steps over which the learning rate ramps linearly from rate/N to the scheduled rate (0: none).
        /// The L2 distance sums over every pixel, so at full rate the head's shared parameters (the output bias above
        /// all) take steps about sqrt(H*W) times larger than the cross-entropy's; from a random head that swings the
        /// map's offset by more than the targets' range and can silence every ReLU of the narrow upsampling layers
        /// for good (a constant map, or stripes from the few units left). The ramp lets the head settle first: on
        /// Fashion-MNIST one of three head variants collapsed without it, and with 200 steps every head we tried
        /// trained (docs/explainer.md). Set 0 to train exactly as the classification trainer does when Lambda is 0.
        /// </summary>
        public int WarmupSteps { get; set; } = 200;

        /// <summary>Per-example scaling applied to the targets before alignment (robust maps are scaled to max 1 by default).</summary>
        public AttributionNormalization TargetNormalization { get; set; } = AttributionNormalization.MaxAbs;

        /// <summary>A column of precomputed robust attributions ([1, H, W] or [C, H, W]); ignored when <see cref="RobustModel"/> is set.</summary>
        public string? RobustAttributionColumnName { get; set; } = "RobustAttribution";

        /// <summary>The robust counterpart f', to compute targets on the fly (channel-summed) instead of reading a column.</summary>
        public ITrainedClassifier? RobustModel { get; set; }

        /// <summary>SmoothGrad settings for on-the-fly targets (50 samples, noise level 0.15).</summary>
        public SmoothGradOptions RobustSmoothGrad { get; set; } = new();

        /// <summary>Freeze this trained classifier and train only the explainer (post-hoc mode).</summary>
        public ITrainedClassifier? PostHocClassifier { get; set; }

        /// <summary>The heatmap column the fitted transformer writes.</summary>
        public string AttributionColumnName { get; set; } = "Attribution";
    }
}
