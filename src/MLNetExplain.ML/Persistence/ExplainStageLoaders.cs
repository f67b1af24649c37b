using System.Collections.Concurrent;
using Microsoft.ML;
using MLNetExplain.ML.Imaging;
using MLNetExplain.ML.Stages;

namespace MLNetExplain.ML.Persistence;

/// <summary>The loaders of MLNetExplain stages by <see cref="IExplainSavable.Kind"/>; other stages register theirs.</summary>
internal static class ExplainStageLoaders
{
    private static readonly ConcurrentDictionary<string, Func<ExplainStageReader, ITransformer>> Loaders = new()
    {
        [AttributionTransformer.SavedKind] = AttributionTransformer.Load,
        [Trainers.ImageClassificationTransformer.SavedKind] = Trainers.ImageClassificationTransformer.Load,
        [Trainers.ExplainedImageClassificationTransformer.SavedKind] = Trainers.ExplainedImageClassificationTransformer.Load,
        [HeatmapRenderingTransformer.SavedKind] = HeatmapRenderingTransformer.Load,
    };

    /// <summary>Makes stages of <paramref name="kind"/> loadable.</summary>
    public static void Register(string kind, Func<ExplainStageReader, ITransformer> load) => Loaders[kind] = load;

    /// <summary>Loads a stage of <paramref name="kind"/>.</summary>
    /// <exception cref="InvalidDataException">No loader knows the kind.</exception>
    public static ITransformer Load(string kind, ExplainStageReader reader) =>
        Loaders.TryGetValue(kind, out var load) ? load(reader)
            : throw new InvalidDataException($"Model file '{reader.Path}' holds a stage of kind '{kind}', which this version of MLNetExplain cannot load (known: {string.Join(", ", Loaders.Keys.Order())}).");
}
