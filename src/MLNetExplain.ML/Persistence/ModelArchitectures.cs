using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Persistence;

/// <summary>
/// How saved pipelines rebuild their TorchSharp classifiers: a model file holds a model's weights plus an
/// architecture name and description, and loading creates the module from them before loading the weights.
/// Register each model type you save in a pipeline, once per process, before saving or loading.
/// </summary>
public static class ModelArchitectures
{
    private static readonly ConcurrentDictionary<Type, (string Name, Func<nn.Module<Tensor, Tensor>, string> Describe)> ByType = new();
    private static readonly ConcurrentDictionary<string, Func<string, nn.Module<Tensor, Tensor>>> ByName = new();

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
        ByType.TryGetValue(model.GetType(), out var entry) ? (entry.Name, entry.Describe(model))
            : throw new NotSupportedException(
                $"The model type {model.GetType().FullName} has no registered architecture, so a model file could not rebuild it; call ModelArchitectures.Register<{model.GetType().Name}>(...) before saving.");

    /// <summary>A new model of the named architecture.</summary>
    /// <exception cref="InvalidDataException">The name is not registered.</exception>
    internal static nn.Module<Tensor, Tensor> Create(string name, string description, string path) =>
        ByName.TryGetValue(name, out var create) ? create(description)
            : throw new InvalidDataException(
                $"Model file '{path}' holds a model of architecture '{name}', which is not registered in this process; call ModelArchitectures.Register for it before loading.");
}
