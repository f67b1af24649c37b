using System.IO.Compression;
using System.Text.Json;
using MLNetExplain.Models;

namespace MLNetExplain.Explainer;

/// <summary>
/// Saves and loads an <see cref="ExplainedClassifier"/>: a zip holding <c>explainer.json</c> (format, head layout,
/// head shape and a description of the backbone) and <c>weights.safetensors</c> (PyTorch state-dict names
/// <c>classifier.*</c>, <c>explainer.*</c>). Files are written atomically.
/// </summary>
/// <remarks>
/// The backbone is described by the caller (e.g. a serialised classifier spec) and rebuilt by the caller's
/// delegate on load, so any <see cref="ConvClassifier"/> can be saved.
/// </remarks>
public static class ExplainedClassifierFile
{
    /// <summary>The format name written into <c>explainer.json</c>.</summary>
    public const string FormatName = "MLNetExplain.ExplainedClassifier";

    private const string ManifestEntry = "explainer.json";
    private const string WeightsEntry = "weights.safetensors";
    private const string Kind = "explained-classifier file";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> (replacing any file there, atomically).</summary>
    /// <param name="path">The zip file to write.</param>
    /// <param name="model">The classifier and head.</param>
    /// <param name="backbone">A description of the classifier (any text, e.g. JSON) that <see cref="Load"/> hands back to rebuild it.</param>
    public static void Save(string path, ExplainedClassifier model, string backbone)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(backbone);
        var manifest = new Manifest(FormatName, ExplainerHead.Layout, model.Explainer.Spec, backbone);
        ModelArchive.Write(path,
            new(ManifestEntry, s => JsonSerializer.Serialize(s, manifest), CompressionLevel.Fastest),
            new(WeightsEntry, s => ModuleState.Save(model, s), CompressionLevel.Fastest));
    }

    /// <summary>Reads the backbone description a file was saved with.</summary>
    public static string ReadBackbone(string path) => ModelArchive.Read(path, Kind, ReadManifest).Backbone;

    /// <summary>Loads a model written by <see cref="Save"/>, on the CPU and in eval mode.</summary>
    /// <param name="path">The zip file.</param>
    /// <param name="buildBackbone">Builds an untrained classifier of the same architecture from the saved description.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not such a file, an earlier head layout, or weights that do not fit the rebuilt model.</exception>
    public static ExplainedClassifier Load(string path, Func<string, ConvClassifier> buildBackbone)
    {
        ArgumentNullException.ThrowIfNull(buildBackbone);
        return ModelArchive.Read(path, Kind, archive =>
        {
            var manifest = ReadManifest(archive);
            using var weights = archive.Open(WeightsEntry);
            var classifier = buildBackbone(manifest.Backbone) ?? throw new InvalidOperationException("buildBackbone returned null.");
            ExplainerHead? head = null;
            try
            {
                head = manifest.Head.Build();
                var model = new ExplainedClassifier(classifier, head);
                ModuleState.Load(model, weights, WeightsEntry);
                model.eval();
                return model;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException)
            {
                head?.Dispose();
                classifier.Dispose();
                throw new InvalidDataException($"The saved weights do not fit the rebuilt model (head {manifest.Head}, backbone '{manifest.Backbone}'): {e.Message}", e);
            }
        });
    }

    private static Manifest ReadManifest(ModelArchive archive)
    {
        var manifest = archive.Header(ManifestEntry, FormatName, newestVersion: null).Deserialize<Manifest>();
        if (manifest is null || manifest.Head is null || manifest.Backbone is null)
        {
            throw new InvalidDataException($"Its {ManifestEntry} lacks the head or the backbone.");
        }

        if (manifest.HeadLayout != ExplainerHead.Layout)
        {
            // Weight shapes alone cannot tell: earlier layouts had the same shapes with other strides.
            throw new InvalidDataException($"The explainer head has layer layout {manifest.HeadLayout}; this version reads layout {ExplainerHead.Layout} (size-keeping convolutions, then upsampling transposed convolutions). Retrain the explainer.");
        }

        return manifest;
    }

    private sealed record Manifest(string Format, int HeadLayout, ExplainerHeadSpec Head, string Backbone);
}
