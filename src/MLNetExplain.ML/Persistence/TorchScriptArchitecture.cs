using System.Text.Json;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Persistence;

/// <summary>
/// How saved pipelines carry a <see cref="TorchScriptClassifier"/>: its description holds the TorchScript archive
/// (base64 in JSON) with the input shape and class names, so a model file needs neither the original <c>.pt</c>
/// file nor a registration; the stage's weights entry then restores the weights as they were when saved.
/// </summary>
internal static class TorchScriptArchitecture
{
    /// <summary>The architecture name in model files.</summary>
    public const string Name = "MLNetExplain.TorchScript";

    /// <summary>The description of <paramref name="model"/>.</summary>
    /// <exception cref="NotSupportedException">The wrapper was built around a module, so it has no archive to save.</exception>
    public static string Describe(TorchScriptClassifier model)
    {
        var archive = model.TorchScript ?? throw new NotSupportedException(
            "This TorchScriptClassifier wraps a module given to its constructor, so there is no TorchScript archive to save with the pipeline; create it with TorchScriptClassifier.Load(path) (or FromBytes) to save it.");
        return JsonSerializer.Serialize(new Description(archive, model.InputShape?.ToArray(), model.ClassNames?.ToArray(), model.Source));
    }

    /// <summary>A new wrapper, on the CPU, from a description written by <see cref="Describe"/>.</summary>
    /// <exception cref="JsonException">The description is not valid.</exception>
    /// <exception cref="InvalidDataException">The archive cannot be loaded.</exception>
    public static TorchScriptClassifier Create(string description)
    {
        var saved = JsonSerializer.Deserialize<Description>(description) ?? throw new JsonException("The TorchScript description is null.");
        if (saved.TorchScript is null)
        {
            throw new JsonException("The TorchScript description holds no archive.");
        }

        return TorchScriptClassifier.FromBytes(saved.TorchScript, CPU, saved.InputShape, saved.ClassNames, saved.Source ?? "saved TorchScript model");
    }

    /// <summary>The architecture name of a <see cref="TorchScriptBackbone"/> in model files.</summary>
    public const string BackboneName = "MLNetExplain.TorchScriptBackbone";

    /// <summary>The description of <paramref name="model"/>: its archive, input shape, class names and method names.</summary>
    public static string DescribeBackbone(TorchScriptBackbone model) =>
        JsonSerializer.Serialize(new BackboneDescription(model.TorchScript, model.InputShape.ToArray(), model.ClassNames?.ToArray(), model.Source, model.FeaturesMethod, model.ClassifyMethod));

    /// <summary>A new backbone, on the CPU, from a description written by <see cref="DescribeBackbone"/>.</summary>
    /// <exception cref="JsonException">The description is not valid.</exception>
    /// <exception cref="InvalidDataException">The archive cannot be loaded.</exception>
    public static TorchScriptBackbone CreateBackbone(string description)
    {
        var saved = JsonSerializer.Deserialize<BackboneDescription>(description) ?? throw new JsonException("The TorchScript backbone description is null.");
        if (saved.TorchScript is null || saved.InputShape is null)
        {
            throw new JsonException("The TorchScript backbone description holds no archive or no input shape.");
        }

        return TorchScriptBackbone.FromBytes(saved.TorchScript, saved.InputShape, saved.ClassNames, CPU, saved.FeaturesMethod, saved.ClassifyMethod, saved.Source ?? "saved TorchScript model");
    }

    private sealed record Description(byte[] TorchScript, long[]? InputShape, string[]? ClassNames, string? Source);

    private sealed record BackboneDescription(byte[] TorchScript, long[] InputShape, string[]? ClassNames, string? Source, string FeaturesMethod, string ClassifyMethod);
}
