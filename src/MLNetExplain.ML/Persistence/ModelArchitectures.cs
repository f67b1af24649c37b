using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MLNetExplain.Explainer;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Persistence;

/// <summary>
/// How saved pipelines rebuild their TorchSharp classifiers: a model file holds a model's weights plus an
/// architecture name and description, and loading creates the module from them before loading the weights.
/// Register each model type you save in a pipeline, once per process, before saving or loading; models built from
/// a <see cref="ClassifierSpec"/> are registered per instance with <see cref="Register(ConvClassifier, ClassifierSpec)"/>.
/// A <see cref="TorchScriptClassifier"/> or <see cref="TorchScriptBackbone"/> needs no registration: its TorchScript
/// archive travels in the description.
/// </summary>
public static class ModelArchitectures
{
    /// <summary>The architecture name of models rebuilt from a <see cref="ClassifierSpec"/> (its JSON).</summary>
    public const string ClassifierSpecArchitecture = "MLNetExplain.ClassifierSpec";

    private static readonly ConcurrentDictionary<Type, (string Name, Func<nn.Module<Tensor, Tensor>, string> Describe)> ByType = new()
    {
        [typeof(TorchScriptClassifier)] = (TorchScriptArchitecture.Name, model => TorchScriptArchitecture.Describe((TorchScriptClassifier)model)),
        [typeof(TorchScriptBackbone)] = (TorchScriptArchitecture.BackboneName, model => TorchScriptArchitecture.DescribeBackbone((TorchScriptBackbone)model)),
        [typeof(ExplainedClassifier)] = (ExplainedClassifierArchitecture, model => DescribeExplained((ExplainedClassifier)model)),
    };
    private static readonly ConditionalWeakTable<nn.Module, ClassifierSpec> Specs = new();
    private static readonly ConcurrentDictionary<string, Func<string, nn.Module<Tensor, Tensor>>> ByName = new()
    {
        [ClassifierSpecArchitecture] = description =>
        {
            var spec = JsonSerializer.Deserialize<ClassifierSpec>(description) ?? throw new JsonException("The classifier spec is null.");
            var model = spec.Build();
            Specs.AddOrUpdate(model, spec);
            return model;
        },
        [TorchScriptArchitecture.Name] = TorchScriptArchitecture.Create,
        [TorchScriptArchitecture.BackboneName] = TorchScriptArchitecture.CreateBackbone,
        [ExplainedClassifierArchitecture] = CreateExplained,
    };

    /// <summary>The architecture name of explained classifiers (a spec-built classifier and its explainer head).</summary>
    public const string ExplainedClassifierArchitecture = "MLNetExplain.ExplainedClassifier";

    private sealed record ExplainedArchitecture(ClassifierSpec Classifier, int HeadLayout, ExplainerHeadSpec Head);

    private static string DescribeExplained(ExplainedClassifier model) =>
        Specs.TryGetValue(model.Classifier, out var spec)
            ? JsonSerializer.Serialize(new ExplainedArchitecture(spec, ExplainerHead.Layout, model.Explainer.Spec))
            : throw new NotSupportedException("The explained classifier's backbone was not built from a registered ClassifierSpec; call ModelArchitectures.Register(model.Classifier, spec) before saving.");

    private static ExplainedClassifier CreateExplained(string description)
    {
        var architecture = JsonSerializer.Deserialize<ExplainedArchitecture>(description) ?? throw new JsonException("The explained classifier's architecture is null.");
        if (architecture.HeadLayout != ExplainerHead.Layout)
        {
            throw new InvalidDataException($"The saved explained classifier's head has layer layout {architecture.HeadLayout}; this version reads layout {ExplainerHead.Layout}. Retrain the explainer.");
        }

        var classifier = architecture.Classifier.Build();
        Specs.AddOrUpdate(classifier, architecture.Classifier);
        return new ExplainedClassifier(classifier, architecture.Head.Build());
    }

    /// <summary>
    /// Makes <paramref name="model"/>, built by <see cref="ClassifierSpec.Build"/> from <paramref name="spec"/>, savable
    /// in pipelines (a module does not know the spec it was built from). Models loaded from a pipeline file are
    /// registered already.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="spec">The spec it was built from.</param>
    public static void Register(ConvClassifier model, ClassifierSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Specs.AddOrUpdate(model, spec);
    }

    /// <summary>Registers <typeparamref name="TModel"/> under <paramref name="name"/>.</summary>
    /// <typeparam name="TModel">The model type, matched exactly.</typeparam>
    /// <param name="name">A stable name written into model files, e.g. "MyCompany.SmallCnn".</param>
    /// <param name="describe">The model's hyper-parameters as a string (JSON, say); weights are saved separately.</param>
    /// <param name="create">A new untrained model from that string.</param>
    public static void Register<TModel>(string name, Func<TModel, string> describe, Func<string, TModel> create)
        where TModel : nn.Module<Tensor, Tensor>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(create);
        ByType[typeof(TModel)] = (name, model => describe((TModel)model));
        ByName[name] = description => create(description);
    }

    /// <summary>The architecture name and description of <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">Its type is not registered.</exception>
    internal static (string Name, string Description) Describe(nn.Module<Tensor, Tensor> model) =>
        Specs.TryGetValue(model, out var spec) ? (ClassifierSpecArchitecture, JsonSerializer.Serialize(spec))
        : ByType.TryGetValue(model.GetType(), out var entry) ? (entry.Name, entry.Describe(model))
            : throw new NotSupportedException(
                $"The model type {model.GetType().FullName} has no registered architecture, so a model file could not rebuild it; call ModelArchitectures.Register<{model.GetType().Name}>(...) (or Register(model, spec) for a model built from a ClassifierSpec) before saving.");

    /// <summary>A new model of the named architecture.</summary>
    /// <exception cref="InvalidDataException">The name is not registered.</exception>
    internal static nn.Module<Tensor, Tensor> Create(string name, string description, string path)
    {
        if (!ByName.TryGetValue(name, out var create))
        {
            throw new InvalidDataException(
                $"Model file '{path}' holds a model of architecture '{name}', which is not registered in this process; call ModelArchitectures.Register for it before loading.");
        }

        try
        {
            return create(description);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"Model file '{path}': the description of architecture '{name}' is not valid ({ex.Message}).", ex);
        }
    }
}
