using System.IO.Compression;
using System.Text.Json;

namespace MLNetExplain.Data;

/// <summary>
/// The model file: a zip with <c>manifest.json</c> (format name and version, input schema) and the root
/// transformer's folder <c>model/</c>. Written to a temporary file and moved into place, so a crash never leaves a
/// half-written model.
/// </summary>
internal static class ModelFile
{
    public const string FormatName = "MLNetExplain.Model";
    public const int FormatVersion = 1;

    public static void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        var full = Path.GetFullPath(path);
        var temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                {
                    var manifest = new Manifest(FormatName, FormatVersion,
                        inputSchema.Where(c => !c.IsHidden).Select(c => new ColumnEntry(c.Name, DataViewTypeFormat.Format(c.Type),
                            c.Annotations.KeyValues?.ToArray())).ToList());
                    using (var s = zip.CreateEntry("manifest.json").Open())
                    {
                        JsonSerializer.Serialize(s, manifest, ModelSaveContext.Json);
                    }

                    new ModelSaveContext(zip, "").SaveChild("model", model);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Model file '{path}' is not a valid model archive (truncated or corrupt: {ex.Message}).", ex);
        }

        using (zip)
        {
            var context = new ModelLoadContext(zip, "", path);
            Manifest manifest;
            try
            {
                using var s = context.Open("manifest.json");
                manifest = JsonSerializer.Deserialize<Manifest>(s, ModelSaveContext.Json) ?? throw new JsonException("empty");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Model file '{path}': manifest.json is not valid ({ex.Message}).", ex);
            }

            if (manifest.Format != FormatName)
            {
                throw new InvalidDataException($"Model file '{path}' is not an MLNetExplain model (format '{manifest.Format}').");
            }

            if (manifest.FormatVersion != FormatVersion)
            {
                throw new InvalidDataException(
                    $"Model file '{path}' has format version {manifest.FormatVersion}; this library reads version {FormatVersion}.");
            }

            try
            {
                inputSchema = DataViewSchema.Create(manifest.InputSchema.Select(c => (c.Name, DataViewTypeFormat.Parse(c.Type),
                    c.KeyValues is null ? null : DataViewSchema.Annotations.WithKeyValues(c.KeyValues))));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or NullReferenceException)
            {
                throw new InvalidDataException($"Model file '{path}': the input schema in manifest.json is invalid ({ex.Message}).", ex);
            }

            var model = context.LoadChild("model");
            try
            {
                // A model whose stages cannot accept the recorded input schema is unusable: reject it now.
                model.GetOutputSchema(inputSchema);
            }
            catch (Exception ex) when (ex is SchemaMismatchException or ArgumentException)
            {
                (model as IDisposable)?.Dispose();
                throw new InvalidDataException($"Model file '{path}': the model does not accept its recorded input schema: {ex.Message}", ex);
            }

            return model;
        }
    }

    private sealed record Manifest(string Format, int FormatVersion, List<ColumnEntry> InputSchema);

    private sealed record ColumnEntry(string Name, string Type, string[]? KeyValues);
}
