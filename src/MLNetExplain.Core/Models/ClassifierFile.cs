using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// Saves and loads classifiers as one file: a zip archive holding <c>spec.json</c> (format name, format version,
/// the <see cref="ClassifierSpec"/> and the SHA-256 of the weights) and <c>weights.safetensors</c> (the state dict,
/// PyTorch names; loadable in Python with <c>safetensors.torch.load_file</c>).
/// </summary>
public static class ClassifierFile
{
    /// <summary>The format name written into <c>spec.json</c>.</summary>
    public const string FormatName = "MLNetExplain.Classifier";

    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    private const string SpecEntry = "spec.json";
    private const string WeightsEntry = "weights.safetensors";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Writes <paramref name="model"/> (built from <paramref name="spec"/>) to <paramref name="path"/> atomically: a
    /// temporary file in the same folder is written completely, then moved over the target.
    /// </summary>
    /// <param name="path">The file to write; replaced if it exists.</param>
    /// <param name="model">The network.</param>
    /// <param name="spec">The spec that rebuilds the network.</param>
    public static void Save(string path, ConvClassifier model, ClassifierSpec spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Save(stream, model, spec);
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

    /// <summary>Writes the archive to <paramref name="stream"/> (left open), e.g. inside another model file.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="model">The network.</param>
    /// <param name="spec">The spec that rebuilds the network.</param>
    public static void Save(Stream stream, ConvClassifier model, ClassifierSpec spec)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (model.NumClasses != spec.NumClasses)
        {
            throw new ArgumentException($"The model has {model.NumClasses} classes; the spec says {spec.NumClasses}.", nameof(spec));
        }

        CheckFits(model, spec);

        using var buffer = new MemoryStream();
        using (var scope = NewDisposeScope())
        {
            var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
            Safetensors.SaveStateDict(buffer, state, leaveOpen: true);
        }

        // The zip reader does not verify its CRCs, so the header carries a hash that catches damaged weights.
        var header = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["weightsSha256"] = Convert.ToHexString(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))),
            ["spec"] = JsonSerializer.SerializeToNode(spec, Json),
        };
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        using (var writer = new StreamWriter(archive.CreateEntry(SpecEntry).Open()))
        {
            writer.Write(header.ToJsonString(Json));
        }

        using var weights = archive.CreateEntry(WeightsEntry, CompressionLevel.NoCompression).Open();
        buffer.Position = 0;
        buffer.CopyTo(weights);
    }

    /// <summary>Reads the spec of a classifier file without loading its weights.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a classifier file, or is corrupt or truncated.</exception>
    /// <exception cref="NotSupportedException">A newer version of the library wrote the file.</exception>
    public static ClassifierSpec ReadSpec(string path) => WithFile(path, stream =>
    {
        using var archive = OpenArchive(stream);
        return ReadHeader(archive).Spec;
    });

    /// <summary>Loads a classifier file written by <see cref="Save(string, ConvClassifier, ClassifierSpec)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="spec">The spec the file holds.</param>
    /// <param name="device">Where the model goes; the CPU by default.</param>
    /// <returns>The network, in eval mode.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a classifier file, or is corrupt or truncated, or its weights do not fit its spec.</exception>
    /// <exception cref="NotSupportedException">A newer version of the library wrote the file.</exception>
    public static ConvClassifier Load(string path, out ClassifierSpec spec, Device? device = null)
    {
        (var model, spec) = WithFile(path, stream => Load(stream, device));
        return model;
    }

    /// <summary>Loads a classifier file; see <see cref="Load(string, out ClassifierSpec, Device?)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">Where the model goes; the CPU by default.</param>
    public static ConvClassifier Load(string path, Device? device = null) => Load(path, out _, device);

    /// <summary>Loads a classifier from a stream holding the archive (left open).</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="device">Where the model goes; the CPU by default.</param>
    /// <returns>The network, in eval mode, and its spec.</returns>
    public static (ConvClassifier Model, ClassifierSpec Spec) Load(Stream stream, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var archive = OpenArchive(stream);
        var (spec, hash) = ReadHeader(archive);
        var entry = archive.GetEntry(WeightsEntry) ?? throw new InvalidDataException($"The archive has no {WeightsEntry}.");
        using var buffer = new MemoryStream();
        try
        {
            using var weights = entry.Open();
            weights.CopyTo(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{WeightsEntry} is corrupt or truncated: {e.Message}", e);
        }

        if (!string.Equals(hash, Convert.ToHexString(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{WeightsEntry} is corrupt: its SHA-256 differs from the one in {SpecEntry}.");
        }

        buffer.Position = 0;
        Dictionary<string, Tensor> state;
        try
        {
            state = Safetensors.LoadStateDict(buffer, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{WeightsEntry} is not a valid safetensors file: {e.Message}", e);
        }

        var model = spec.Build();
        try
        {
            ModuleState.Assign(model, state, WeightsEntry);
            if (device is not null)
            {
                model.to(device);
            }

            model.eval();
            return (model, spec);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    // A file whose spec does not rebuild its weights could never be loaded: refuse to write it.
    private static void CheckFits(ConvClassifier model, ClassifierSpec spec)
    {
        using var reference = spec.Build();
        var expected = reference.state_dict();
        var actual = model.state_dict();
        var wrong = expected.Where(p => !actual.TryGetValue(p.Key, out var t) || !t.shape.SequenceEqual(p.Value.shape)).Select(p => p.Key)
            .Concat(actual.Keys.Where(k => !expected.ContainsKey(k))).Take(4).ToList();
        if (wrong.Count > 0)
        {
            throw new ArgumentException($"The spec does not describe the model: the state dicts differ at [{string.Join(", ", wrong)}].", nameof(spec));
        }
    }

    private static ZipArchive OpenArchive(Stream stream)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"It is not a zip archive, or it is truncated ({e.Message}); an MLNetExplain classifier file is a zip with {SpecEntry} and {WeightsEntry}.", e);
        }
    }

    private static (ClassifierSpec Spec, string? WeightsSha256) ReadHeader(ZipArchive archive)
    {
        var entry = archive.GetEntry(SpecEntry)
            ?? throw new InvalidDataException($"The archive has no {SpecEntry}: it is not an MLNetExplain classifier file.");
        JsonNode? header;
        try
        {
            using var reader = new StreamReader(entry.Open());
            header = JsonNode.Parse(reader.ReadToEnd());
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{SpecEntry} is corrupt: {e.Message}", e);
        }

        if (header is not JsonObject o || o["format"]?.GetValue<string>() != FormatName)
        {
            throw new InvalidDataException($"{SpecEntry} does not name the format '{FormatName}': it is not an MLNetExplain classifier file.");
        }

        int version = o["version"] is JsonValue v && v.TryGetValue(out int number) ? number : -1;
        if (version > FormatVersion)
        {
            throw new NotSupportedException($"A newer MLNetExplain wrote it (format version {version}); this version reads up to {FormatVersion}. Update MLNetExplain.");
        }

        if (version < 1)
        {
            throw new InvalidDataException($"{SpecEntry} has no valid format version.");
        }

        try
        {
            var spec = o["spec"].Deserialize<ClassifierSpec>(Json) ?? throw new InvalidDataException($"{SpecEntry} has no spec.");
            spec.Validate();
            return (spec, o["weightsSha256"]?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{SpecEntry} holds an invalid spec: {e.Message}", e);
        }
    }

    // Opens the file and puts its name into every error, so a user with many model files knows which one failed.
    private static T WithFile<T>(string path, Func<Stream, T> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Classifier file '{path}' does not exist.", path);
        }

        try
        {
            using var stream = File.OpenRead(path);
            return read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Classifier file '{path}': {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"Classifier file '{path}': {e.Message}", e);
        }
    }
}
