using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Trainers;

/// <summary>
/// A trained image classifier as a pipeline stage: appends <c>Score</c> (class probabilities, a Single vector of
/// the class count) and <c>PredictedLabel</c> (a key with the training label's class names), scoring the feature
/// column (a [C, H, W] Single vector in [0, 1]) in batches. Exposes the network for explanation stages.
/// </summary>
public sealed class ImageClassificationTransformer : ISavableTransformer, ITrainedClassifier, IDisposable
{
    internal ImageClassificationTransformer(ConvClassifier model, ClassifierSpec spec, ScoringSettings settings)
    {
        Model = model;
        Spec = spec;
        Settings = settings;
        Model.Eval();
    }

    /// <summary>The trained network (in eval mode; inputs in [0, 1], normalisation inside).</summary>
    public ConvClassifier Model { get; }

    /// <summary>The architecture description, enough to rebuild <see cref="Model"/>.</summary>
    public ClassifierSpec Spec { get; }

    internal ScoringSettings Settings { get; }

    /// <summary>The input column.</summary>
    public string FeatureColumnName => Settings.FeatureColumnName;

    /// <summary>Class names from the training label column, when it had them.</summary>
    public IReadOnlyList<string>? ClassNames => Settings.ClassNames;

    /// <summary>The expected input shape [C, H, W].</summary>
    public IReadOnlyList<int> InputShape => Settings.InputShape;

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckFeatures(SchemaShape.Create(inputSchema), Settings.FeatureColumnName, Settings.InputShape, nameof(ImageClassificationTransformer));
        return inputSchema.Append(OutputColumns().Select(c => (c.Name, c.Type, c.Annotations)));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new TensorBatchMapView(input, Settings.FeatureColumnName, Settings.BatchSize, OutputColumns(), Score, Device);
    }

    /// <summary>The device the network's weights are on.</summary>
    public Device Device => Model.Parameters()[0].Device;

    /// <summary>Probabilities and predicted class indices for a batch [N, C, H, W] in [0, 1].</summary>
    public (Tensor Probabilities, Tensor Predicted) Predict(Tensor images)
    {
        using var noGrad = Torch.Torch.NoGrad();
        using var scope = Torch.Torch.NewDisposeScope();
        var probabilities = Functional.Softmax(Model.Forward(images), 1);
        var predicted = probabilities.Argmax(1);
        return (probabilities.MoveToOuterDisposeScope(), predicted.MoveToOuterDisposeScope());
    }

    private Tensor[] Score(Tensor images)
    {
        var (p, k) = Predict(images);
        return [p, k];
    }

    private TensorColumn[] OutputColumns()
    {
        var classes = Spec.NumClasses;
        var annotations = Settings.ClassNames is { } names ? DataViewSchema.Annotations.WithKeyValues(names) : null;
        return
        [
            new TensorColumn(Settings.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classes)),
            new TensorColumn(Settings.PredictedLabelColumnName, new KeyDataViewType((ulong)classes), annotations),
        ];
    }

    /// <summary>Checks that a feature column is a Single vector of the given [C, H, W] shape.</summary>
    internal static SchemaShape.Column CheckFeatures(SchemaShape shape, string column, IReadOnlyList<int>? expected, string stage)
    {
        var description = expected is null
            ? "a Single vector [C, H, W] of pixels in [0, 1]"
            : $"a Single vector [{string.Join(", ", expected)}] of pixels in [0, 1]";
        return shape.Require(column, description, c => c.Kind == SchemaShape.VectorKind.Vector && c.ItemType == NumberDataViewType.Single
            && c.Dimensions.Count == 3 && (expected is null || c.Dimensions.SequenceEqual(expected)), stage);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        context.SetParameters(new Saved(Spec, Settings));
        context.SaveModule("model", Model);
    }

    /// <summary>Reads a transformer written by <see cref="Save"/>, on the CPU.</summary>
    public static ImageClassificationTransformer Load(ModelLoadContext context)
    {
        var saved = context.GetParameters<Saved>();
        var model = context.LoadModule("model", () => saved.Spec.Build());
        return new ImageClassificationTransformer(model, saved.Spec, saved.Settings);
    }

    /// <summary>Frees the network's weights.</summary>
    public void Dispose() => Model.Dispose();

    private sealed record Saved(ClassifierSpec Spec, ScoringSettings Settings);
}

/// <summary>Column names and batching of a fitted classifier.</summary>
internal sealed record ScoringSettings(string FeatureColumnName, string ScoreColumnName, string PredictedLabelColumnName,
    int[] InputShape, string[]? ClassNames, int BatchSize);
