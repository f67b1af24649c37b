using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Explainer;

/// <summary>The shape of an <see cref="ExplainerHead"/>, saved with the weights so the head can be rebuilt.</summary>
public sealed record ExplainerHeadSpec(long FeatureChannels, int FeatureHeight, int FeatureWidth, int InputHeight, int InputWidth,
    int OutputChannels, int Layers)
{
    /// <summary>Builds a freshly initialised head.</summary>
    public ExplainerHead Build(Generator? generator = null) =>
        new(FeatureChannels, FeatureHeight, FeatureWidth, InputHeight, InputWidth, OutputChannels, Layers, generator);
}

/// <summary>
/// A classifier trained with an aligned explainer head (seed 001): one forward pass per batch appends <c>Score</c>,
/// <c>PredictedLabel</c> and the heatmap column (<c>Attribution</c> by default, [1, H, W] or [C, H, W]). The map is
/// the explainer's output for the image, class-agnostic as in the paper. It exposes the classifier so post-hoc
/// methods can explain the same network side by side.
/// </summary>
public sealed class ExplainedClassifierTransformer : ISavableTransformer, ITrainedClassifier, IDisposable
{
    internal ExplainedClassifierTransformer(ExplainedClassifier network, ClassifierSpec spec, ExplainerHeadSpec head, Settings settings)
    {
        Network = network;
        Spec = spec;
        Head = head;
        Columns = settings;
        Network.Eval();
    }

    /// <summary>Classifier plus explainer.</summary>
    public ExplainedClassifier Network { get; }

    /// <inheritdoc />
    public ConvClassifier Model => Network.Classifier;

    /// <inheritdoc />
    public ClassifierSpec Spec { get; }

    /// <summary>The explainer's shape.</summary>
    public ExplainerHeadSpec Head { get; }

    internal Settings Columns { get; }

    /// <summary>The image column read.</summary>
    public string FeatureColumnName => Columns.FeatureColumnName;

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>Probabilities, predicted classes and maps for a batch [N, C, H, W] in [0, 1], from one forward pass.</summary>
    public (Tensor Probabilities, Tensor Predicted, Tensor Maps) Explain(Tensor images)
    {
        using var noGrad = Torch.Torch.NoGrad();
        using var scope = Torch.Torch.NewDisposeScope();
        var (logits, maps) = Network.ForwardBoth(images);
        var probabilities = Functional.Softmax(logits, 1);
        return (probabilities.MoveToOuterDisposeScope(), probabilities.Argmax(1).MoveToOuterDisposeScope(), maps.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Check(SchemaShape.Create(inputSchema));
        return inputSchema.Append(OutputColumns().Select(c => (c.Name, c.Type, c.Annotations)));
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        return new TensorBatchMapView(input, Columns.FeatureColumnName, Columns.BatchSize, OutputColumns(), x =>
        {
            var (p, k, m) = Explain(x);
            return [p, k, m];
        }, Network.Parameters()[0].Device);
    }

    private void Check(SchemaShape shape) =>
        shape.Require(Columns.FeatureColumnName, $"a Single vector [{Spec.InputChannels}, {Head.InputHeight}, {Head.InputWidth}] of pixels in [0, 1]",
            c => c.Kind == SchemaShape.VectorKind.Vector && c.ItemType == NumberDataViewType.Single
                && c.Dimensions.SequenceEqual([Spec.InputChannels, Head.InputHeight, Head.InputWidth]), nameof(ExplainedClassifierTransformer));

    private TensorColumn[] OutputColumns()
    {
        var annotations = Columns.ClassNames is { } names ? DataViewSchema.Annotations.WithKeyValues(names) : null;
        return
        [
            new TensorColumn(Columns.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, Spec.NumClasses)),
            new TensorColumn(Columns.PredictedLabelColumnName, new KeyDataViewType((ulong)Spec.NumClasses), annotations),
            new TensorColumn(Columns.AttributionColumnName, new VectorDataViewType(NumberDataViewType.Single, Head.OutputChannels, Head.InputHeight, Head.InputWidth)),
        ];
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        context.SetParameters(new Saved(Spec, Head, Columns, HeadLayout));
        context.SaveModule("network", Network);
    }

    /// <summary>Reads a transformer written by <see cref="Save"/>, on the CPU.</summary>
    public static ExplainedClassifierTransformer Load(ModelLoadContext context)
    {
        var saved = context.GetParameters<Saved>();
        if (saved.Layout != HeadLayout)
        {
            // The state dictionary alone cannot always tell: layout 0 had the same weight shapes, other strides.
            throw new InvalidDataException(
                $"{nameof(ExplainedClassifierTransformer)}: this model file's explainer head has an earlier layer layout (layout {saved.Layout}; this version reads layout {HeadLayout}: size-keeping convolutions, then upsampling transposed convolutions). Retrain the explainer.");
        }

        var network = context.LoadModule("network", () => new ExplainedClassifier(saved.Spec.Build(), saved.Head.Build()));
        return new ExplainedClassifierTransformer(network, saved.Spec, saved.Head, saved.Columns);
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => Network.Dispose();

    internal sealed record Settings(string FeatureColumnName, string ScoreColumnName, string PredictedLabelColumnName,
        string AttributionColumnName, string[]? ClassNames, int BatchSize);

    // 0 (files without the field): transposed convolutions, upsampling first. 2: upsampling last. 3: upsampling last,
    // size-keeping layers as convolutions.
    private const int HeadLayout = 3;

    private sealed record Saved(ClassifierSpec Spec, ExplainerHeadSpec Head, Settings Columns, int Layout);
}
