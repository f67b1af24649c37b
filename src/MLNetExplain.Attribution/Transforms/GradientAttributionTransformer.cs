using MLNetExplain.Attribution.Methods;
using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Attribution.Transforms;

/// <summary>Gradient attribution methods available as pipeline stages.</summary>
public enum GradientMethod
{
    /// <summary>Vanilla gradient (<see cref="Methods.Saliency"/>).</summary>
    Saliency,
    /// <summary>SmoothGrad of saliency (<see cref="Methods.SmoothGrad"/>).</summary>
    SmoothGrad,
}

/// <summary>
/// Appends an attribution column (a Single vector, [C, H, W] or [1, H, W] after channel reduction) computed by a
/// gradient method on a trained classifier, for each row's predicted class or the class in a target column.
/// Batches stream through the model; the view is never materialised.
/// </summary>
public sealed class GradientAttributionTransformer : ISavableTransformer, IDisposable
{
    private readonly bool _ownsModel;
    private int _cursors;

    internal GradientAttributionTransformer(ConvClassifier model, ClassifierSpec spec, Options options, bool ownsModel)
    {
        Model = model;
        Spec = spec;
        Settings = options;
        _ownsModel = ownsModel;
        Model.Eval();
        if (options.BatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1.");
        }
    }

    /// <summary>The explained network.</summary>
    public ConvClassifier Model { get; }

    /// <summary>Its architecture.</summary>
    public ClassifierSpec Spec { get; }

    /// <summary>The settings.</summary>
    public Options Settings { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    private string Stage => $"{Settings.Method} attribution";

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        inputSchema.Append([(Settings.OutputColumnName, OutputType(CheckInput(SchemaShape.Create(inputSchema))), null)]);

    /// <summary>The static output shape (for estimators).</summary>
    internal SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var dims = CheckInput(inputSchema);
        return inputSchema.With(new SchemaShape.Column(Settings.OutputColumnName, SchemaShape.VectorKind.Vector, NumberDataViewType.Single, false,
            AttributionPostprocessing.OutputShape(dims, Settings.Reduction)));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        var dims = CheckInput(SchemaShape.Create(input.Schema));
        var device = Model.Parameters()[0].Device;
        // Each view gets its own noise stream; a pass over it repeats for a given seed and cursor order.
        var generator = new Generator((ulong)unchecked(Settings.Seed + Interlocked.Increment(ref _cursors) - 1));
        var smooth = new SmoothGrad(Model.Forward, Settings.SmoothGrad);
        var saliency = new Saliency(Model.Forward);
        return new TensorBatchMapView(input, Settings.FeatureColumnName, Settings.TargetColumnName, Settings.BatchSize,
            [new TensorColumn(Settings.OutputColumnName, OutputType(dims))],
            (x, target) =>
            {
                var raw = Settings.Method == GradientMethod.Saliency
                    ? saliency.Attribute(x, target, Settings.Absolute)
                    : smooth.Attribute(x, target, generator);
                return [AttributionPostprocessing.Apply(raw, Settings.Reduction, Settings.Normalization)];
            }, device);
    }

    private VectorDataViewType OutputType(IReadOnlyList<int> dims) =>
        new(NumberDataViewType.Single, AttributionPostprocessing.OutputShape(dims, Settings.Reduction));

    private IReadOnlyList<int> CheckInput(SchemaShape shape)
    {
        var features = shape.Require(Settings.FeatureColumnName, $"a Single vector [{Spec.InputChannels}, H, W] of pixels in [0, 1]",
            c => c.Kind == SchemaShape.VectorKind.Vector && c.ItemType == NumberDataViewType.Single && c.Dimensions.Count == 3
                && c.Dimensions[0] == Spec.InputChannels, Stage);
        if (Settings.TargetColumnName is { } target)
        {
            shape.Require(target, $"a key with {Spec.NumClasses} classes", c => c.Kind == SchemaShape.VectorKind.Scalar && c.IsKey
                && ((KeyDataViewType)c.ItemType).Count == (ulong)Spec.NumClasses, Stage);
        }

        return features.Dimensions;
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        context.SetParameters(new Saved(Spec, Settings));
        context.SaveModule("model", Model);
    }

    /// <summary>Reads a transformer written by <see cref="Save"/>.</summary>
    public static GradientAttributionTransformer Load(ModelLoadContext context)
    {
        var saved = context.GetParameters<Saved>();
        return new GradientAttributionTransformer(context.LoadModule("model", () => saved.Spec.Build()), saved.Spec, saved.Options, ownsModel: true);
    }

    /// <summary>Frees the network when this transformer loaded its own copy.</summary>
    public void Dispose()
    {
        if (_ownsModel)
        {
            Model.Dispose();
        }
    }

    private sealed record Saved(ClassifierSpec Spec, Options Options);

    /// <summary>Options of a gradient attribution stage.</summary>
    public sealed record Options
    {
        /// <summary>The attribution column written.</summary>
        public string OutputColumnName { get; init; } = "Attribution";

        /// <summary>The image column: a Single vector [C, H, W] in [0, 1], as the classifier was trained on.</summary>
        public string FeatureColumnName { get; init; } = "Features";

        /// <summary>A key column naming the class to explain; null explains the predicted class.</summary>
        public string? TargetColumnName { get; init; }

        /// <summary>The method.</summary>
        public GradientMethod Method { get; init; } = GradientMethod.Saliency;

        /// <summary>Absolute gradients for saliency (Captum's default).</summary>
        public bool Absolute { get; init; } = true;

        /// <summary>SmoothGrad settings (50 samples, noise level 0.15, absolute per sample).</summary>
        public SmoothGradOptions SmoothGrad { get; init; } = new();

        /// <summary>How channels are combined.</summary>
        public ChannelReduction Reduction { get; init; } = ChannelReduction.None;

        /// <summary>Per-example scaling.</summary>
        public AttributionNormalization Normalization { get; init; } = AttributionNormalization.None;

        /// <summary>Images per batch.</summary>
        public int BatchSize { get; init; } = 64;

        /// <summary>Seed of the SmoothGrad noise.</summary>
        public int Seed { get; init; }
    }
}

/// <summary>Creates <see cref="GradientAttributionTransformer"/>s for a trained classifier; nothing to learn.</summary>
public sealed class GradientAttributionEstimator : IEstimator<GradientAttributionTransformer>
{
    private readonly GradientAttributionTransformer _transformer;

    internal GradientAttributionEstimator(ITrainedClassifier classifier, GradientAttributionTransformer.Options options)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        _transformer = new GradientAttributionTransformer(classifier.Model, classifier.Spec, options, ownsModel: false);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _transformer.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public GradientAttributionTransformer Fit(IDataView input)
    {
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }
}
