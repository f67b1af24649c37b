using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Persistence;

/// <summary>
/// The model file of <see cref="ExplainerModelOperations.SaveWithExplainers"/>: a zip holding <c>manifest.json</c>
/// (format name and version, the stages in order), <c>input-schema.zip</c> (an empty ML.NET chain saved with the
/// input schema), and per stage either <c>stages/{i}/mlnet.zip</c> (a run of consecutive built-in ML.NET stages,
/// saved by ML.NET) or <c>stages/{i}/</c> with the entries of an MLNetExplain stage. The whole chain is checked
/// and serialised in memory before a temporary file is written and moved into place, so a failure never leaves a
/// partial file.
/// </summary>
internal static class ExplainerModelFile
{
    public const string FormatName = "MLNetExplain.Pipeline";
    public const int FormatVersion = 1;
    private const string ManifestEntry = "manifest.json";
    private const string InputSchemaEntry = "input-schema.zip";

    public static void Save(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stages = Flatten(model).ToList();
        foreach (var savable in stages.OfType<IExplainSavable>())
        {
            savable.CheckSavable();
        }

        var entries = new List<(string Name, byte[] Content)> { (InputSchemaEntry, SaveMLNet(catalog, [], inputSchema)) };
        var manifest = new Manifest(FormatName, FormatVersion, []);
        var schema = inputSchema;
        for (var i = 0; i < stages.Count;)
        {
            var folder = $"stages/{manifest.Stages.Count}/";
            if (stages[i] is IExplainSavable savable)
            {
                var writer = new ExplainStageWriter(folder);
                savable.Save(writer);
                entries.AddRange(writer.Entries);
                manifest.Stages.Add(new StageEntry(savable.Kind, folder));
                schema = stages[i].GetOutputSchema(schema);
                i++;
                continue;
            }

            var run = stages.Skip(i).TakeWhile(s => s is not IExplainSavable).ToArray();
            entries.Add((folder + "mlnet.zip", SaveMLNet(catalog, run, schema)));
            manifest.Stages.Add(new StageEntry(MLNetKind, folder + "mlnet.zip"));
            foreach (var stage in run)
            {
                schema = stage.GetOutputSchema(schema);
            }

            i += run.Length;
        }

        entries.Insert(0, (ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, ExplainStageWriter.Json)));
        WriteAtomically(Path.GetFullPath(path), entries);
    }

    public static TransformerChain<ITransformer> Load(ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        }

        using var zip = OpenZip(path);
        var manifest = ReadManifest(zip, path);
        inputSchema = Guard(path, InputSchemaEntry, () =>
        {
            LoadMLNet(catalog, zip, InputSchemaEntry, path, out var schema);
            return schema;
        });
        var stages = new List<ITransformer>();
        try
        {
            foreach (var stage in manifest.Stages)
            {
                if (stage.Kind == MLNetKind)
                {
                    stages.AddRange(Flatten(Guard(path, stage.Entry, () => LoadMLNet(catalog, zip, stage.Entry, path, out _))));
                }
                else
                {
                    stages.Add(ExplainStageLoaders.Load(stage.Kind, new ExplainStageReader(zip, stage.Entry, path)));
                }
            }
        }
        catch
        {
            foreach (var loaded in stages.OfType<IDisposable>())
            {
                loaded.Dispose();
            }

            throw;
        }

        return new TransformerChain<ITransformer>([.. stages]);
    }

    private const string MLNetKind = "MLNet";

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    private static byte[] SaveMLNet(ModelOperationsCatalog catalog, ITransformer[] run, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        catalog.Save(new TransformerChain<ITransformer>(run), schema, stream);
        return stream.ToArray();
    }

    private static ITransformer LoadMLNet(ModelOperationsCatalog catalog, ZipArchive zip, string name, string path, out DataViewSchema schema)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"Model file '{path}' lacks entry '{name}' (truncated or altered).");
        // ML.NET's loader seeks in its zip; a zip entry stream cannot.
        using var buffer = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(buffer);
        }

        buffer.Position = 0;
        return catalog.Load(buffer, out schema);
    }

    private static T Guard<T>(string path, string entry, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception ex) when (ex is not (InvalidDataException or OutOfMemoryException))
        {
            throw new InvalidDataException($"Model file '{path}': entry '{entry}' could not be loaded by ML.NET ({ex.Message}).", ex);
        }
    }

    private static ZipArchive OpenZip(string path)
    {
        var stream = File.OpenRead(path);
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            stream.Dispose();
            throw new InvalidDataException($"Model file '{path}' is not a readable zip (corrupt or truncated: {ex.Message}).", ex);
        }
    }

    private static Manifest ReadManifest(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(ManifestEntry);
        if (entry is null)
        {
            var mlnet = zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) || e.FullName.StartsWith("Model/", StringComparison.Ordinal));
            throw new InvalidDataException(mlnet
                ? $"Model file '{path}' is a plain ML.NET model, not one saved by SaveWithExplainers: load it with mlContext.Model.Load."
                : $"Model file '{path}' is not an MLNetExplain model file (it has no {ManifestEntry}).");
        }

        Manifest? manifest;
        try
        {
            using var stream = entry.Open();
            manifest = JsonSerializer.Deserialize<Manifest>(stream, ExplainStageWriter.Json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"Model file '{path}': {ManifestEntry} is not valid ({ex.Message}).", ex);
        }

        if (manifest is null || manifest.Format != FormatName || manifest.Stages is null)
        {
            throw new InvalidDataException($"Model file '{path}' is not an MLNetExplain model file (format '{manifest?.Format}', expected '{FormatName}').");
        }

        if (manifest.FormatVersion > FormatVersion)
        {
            throw new NotSupportedException(
                $"Model file '{path}' has format version {manifest.FormatVersion}, written by a newer MLNetExplain; this version reads up to {FormatVersion}. Update MLNetExplain to load it.");
        }

        if (manifest.FormatVersion < 1)
        {
            throw new InvalidDataException($"Model file '{path}' has an invalid format version {manifest.FormatVersion}.");
        }

        return manifest;
    }

    private static void WriteAtomically(string path, List<(string Name, byte[] Content)> entries)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                {
                    foreach (var (name, content) in entries)
                    {
                        using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                        entry.Write(content);
                    }
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private sealed record Manifest(string Format, int FormatVersion, List<StageEntry> Stages);

    /// <summary>A stage run: <see cref="MLNetKind"/> with its ML.NET zip entry, or an MLNetExplain stage kind with its folder.</summary>
    private sealed record StageEntry(string Kind, string Entry);
}
