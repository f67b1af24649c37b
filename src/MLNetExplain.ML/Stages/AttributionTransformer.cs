using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Appends an attribution map column computed by an <see cref="IAttributionMethod"/> for a TorchSharp classifier,
/// in batches of <see cref="AttributionOptions.BatchSize"/> rows, lazily: a map is computed only when its column is
/// read. Works with <c>PredictionEngine</c> (one row per call). Save it with
/// <c>mlContext.Model.SaveWithExplainers</c>, not <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class AttributionTransformer : ITransformer, IDisposable, IExplainSavable
{
    /// <summary>The stage kind in model files.</summary>
    internal const string SavedKind = "Attribution";

    private readonly IAttributionMethod? _method;
    private readonly TensorMapTransformer _map;
    private readonly bool _ownsModel;

    internal AttributionTransformer(nn.Module<Tensor, Tensor> model, AttributionMethodRecipe? recipe, IAttributionMethod? method,
        AttributionOptions options, bool ownsModel)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (recipe is null == method is null)
        {
            throw new ArgumentException("Give either a method recipe or a method instance.");
        }

        Model = model;
        Recipe = recipe;
        _method = method;
        Options = options;
        _ownsModel = ownsModel;
        if (options.Device is { } device)
        {
            model.to(device);
        }

        // Predictions and attributions must not depend on the batch through batch statistics; eval mode once
        // here also keeps concurrent cursors from toggling the mode under each other.
        model.eval();
        if (recipe is not null)
        {
            // Cursors create their own method; creating one here fails early on bad settings (a wrong layer name)
            // and installs the methods' forward hooks before cursors run the model on several threads.
            (recipe.Create(model) as IDisposable)?.Dispose();
        }

        MethodName = recipe?.Kind ?? method!.Name;
        _map = new TensorMapTransformer(new BatchedTensorMap($"{MethodName} attribution", options.InputColumnName, options.TargetColumnName,
            options.BatchSize, [new TensorOutputColumn(options.OutputColumnName, dims => AttributionPostprocessing.OutputShape(dims, options.Reduction))],
            Open)
        {
            ImageShape = (model as TorchScriptClassifier)?.InputShape,
        });
    }

    /// <summary>The explained classifier (in eval mode), returning logits [N, K].</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The method's name, e.g. "Saliency".</summary>
    public string MethodName { get; }

    /// <summary>The settings.</summary>
    public AttributionOptions Options { get; }

    /// <summary>How the method is created, or null for a caller's own method instance (which cannot be saved).</summary>
    internal AttributionMethodRecipe? Recipe { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The image or target column is missing or of the wrong type or shape.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _map.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _map.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The image or target column is missing or of the wrong type or shape.</exception>
    public IDataView Transform(IDataView input) => _map.Transform(input);

    /// <summary>Always throws: ML.NET's model format cannot hold this stage.</summary>
    /// <exception cref="NotSupportedException">Always; use <c>mlContext.Model.SaveWithExplainers</c>.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw ExplainerModelOperations.NotSupported(_map.Map.Stage);

    /// <summary>Frees the model when this transformer was loaded from a file (a model passed in stays the caller's).</summary>
    public void Dispose()
    {
        if (_ownsModel)
        {
            Model.Dispose();
        }
    }

    internal BatchedTensorMap Map => _map.Map;

    string IExplainSavable.Kind => SavedKind;

    void IExplainSavable.CheckSavable()
    {
        if (Recipe is null)
        {
            throw new NotSupportedException(
                $"The {_map.Map.Stage} stage runs your own method instance ({_method!.GetType().Name}), which a model file cannot recreate; build it with one of the catalog's method entries (mlContext.Transforms.Saliency, IntegratedGradients, GradCam, ...) to save it.");
        }

        ModelArchitectures.Describe(Model);
    }

    void IExplainSavable.Save(ExplainStageWriter writer)
    {
        var (architecture, description) = ModelArchitectures.Describe(Model);
        writer.WriteSettings(new Saved(Recipe!.Kind, Recipe.Settings, architecture, description, Options with { Device = null, Progress = null }));
        writer.WriteModule("model", Model);
    }

    /// <summary>Reads a stage written by <see cref="IExplainSavable.Save"/>; the model is created on the CPU and owned by the stage.</summary>
    internal static AttributionTransformer Load(ExplainStageReader reader)
    {
        var saved = reader.ReadSettings<Saved>();
        if (!AttributionMethodRecipe.IsKnown(saved.Method))
        {
            throw new InvalidDataException($"Model file '{reader.Path}' holds an attribution stage of method '{saved.Method}', which this version of MLNetExplain does not know.");
        }

        var model = ModelArchitectures.Create(saved.Architecture, saved.ArchitectureDescription, reader.Path);
        try
        {
            reader.LoadModule("model", model);
            return new AttributionTransformer(model, new AttributionMethodRecipe(saved.Method, saved.MethodSettings), null, saved.Options, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The saved settings: the options are stored as their base type, whatever catalog method made them.</summary>
    private sealed record Saved(string Method, string MethodSettings, string Architecture, string ArchitectureDescription, AttributionOptions Options);

    private TensorBatchFunction Open()
    {
        var recipe = Recipe;
        var method = recipe?.Create(Model) ?? _method!;
        var device = Options.Device ?? Model.parameters().Select(p => p.device).FirstOrDefault() ?? CPU;
        long rows = 0;
        return new TensorBatchFunction((images, targets) =>
        {
            var x = images.to(device);
            var classes = targets?.to(device) ?? AttributionTargets.Predicted(Model, x);
            var maps = method.Attribute(x, classes);
            if (Options.Reduction == ChannelReduction.None && maps.dim() == 4 && maps.shape[1] == 1 && x.shape[1] != 1)
            {
                // One map per image (Grad-CAM) fills every channel of the declared [C, H, W] column.
                maps = maps.expand(x.shape).contiguous();
            }

            var result = AttributionPostprocessing.Apply(maps, Options.Reduction, Options.Normalization, Options.Absolute).to_type(ScalarType.Float32);
            rows += images.shape[0];
            Options.Progress?.Report(rows);
            return [result];
        },
        restart: recipe is null ? null : () =>
        {
            (method as IDisposable)?.Dispose();
            method = recipe.Create(Model);
        },
        dispose: recipe is null ? null : () => (method as IDisposable)?.Dispose());
    }
}
