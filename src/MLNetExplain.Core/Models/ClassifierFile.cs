using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
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

    private const string Kind = "classifier file";
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
        ModelArchive.Write(path, Entries(model, spec));
    }

    /// <summary>Writes the archive to <paramref name="stream"/> (left open), e.g. inside another model file.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="model">The network.</param>
    /// <param name="spec">The spec that rebuilds the network.</param>
    public static void Save(Stream stream, ConvClassifier model, ClassifierSpec spec)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ModelArchive.Write(stream, Entries(model, spec));
    }

    /// <summary>Reads the spec of a classifier file without loading its weights.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a classifier file, or is corrupt or truncated.</exception>
    /// <exception cref="NotSupportedException">A newer version of the library wrote the file.</exception>
    public static ClassifierSpec ReadSpec(string path) => ModelArchive.Read(path, Kind, archive => ReadHeader(archive).Spec);

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
        (var model, spec) = ModelArchive.Read(path, Kind, archive => Load(archive, device));
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
        using var archive = ModelArchive.Open(stream, Kind);
        return Load(archive, device);
    }

    private static ModelArchive.Entry[] Entries(ConvClassifier model, ClassifierSpec spec)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (model.NumClasses != spec.NumClasses)
        {
            throw new ArgumentException($"The model has {model.NumClasses} classes; the spec says {spec.NumClasses}.", nameof(spec));
        }

        CheckFits(model, spec);
        var weights = new MemoryStream();
        ModuleState.Save(model, weights);
        // The zip reader does not verify its CRCs, so the header carries a hash that catches damaged weights.
        var header = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["weightsSha256"] = Sha256(weights),
            ["spec"] = JsonSerializer.SerializeToNode(spec, Json),
        };
        return
        [
            new(SpecEntry, s => JsonSerializer.Serialize(s, header, Json)),
            new(WeightsEntry, s => weights.WriteTo(s), CompressionLevel.NoCompression),
        ];
    }

    private static (ConvClassifier Model, ClassifierSpec Spec) Load(ModelArchive archive, Device? device)
    {
        var (spec, hash) = ReadHeader(archive);
        using var weights = archive.Open(WeightsEntry);
        if (!string.Equals(hash, Sha256(weights), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{WeightsEntry} is corrupt: its SHA-256 differs from the one in {SpecEntry}.");
        }

        var model = spec.Build();
        try
        {
            ModuleState.Load(model, weights, WeightsEntry);
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
    }

    private static string Sha256(MemoryStream content) => Convert.ToHexString(SHA256.HashData(content.GetBuffer().AsSpan(0, (int)content.Length)));

    // A file whose spec does not rebuild its weights could never be loaded: refuse to write it.
    private static void CheckFits(ConvClassifier model, ClassifierSpec spec)
    {
        using var reference = spec.Build();
        var expected = reference.state_dict();
        var actual = model.state_dict();
        var wrong = expected.Where(p => !actual.TryGetValue(p.Key, out var t) || !t.shape.SequenceEqual(p.Value.shape) || t.dtype != p.Value.dtype).Select(p => p.Key)
            .Concat(actual.Keys.Where(k => !expected.ContainsKey(k))).Take(4).ToList();
        if (wrong.Count > 0)
        {
            throw new ArgumentException($"The spec does not describe the model (a model moved to another dtype cannot be loaded back into its spec): the state dicts differ in name, shape or dtype at [{string.Join(", ", wrong)}].", nameof(spec));
        }
    }

    private static (ClassifierSpec Spec, string? WeightsSha256) ReadHeader(ModelArchive archive)
    {
        var header = archive.Header(SpecEntry, FormatName, FormatVersion);
        try
        {
            var spec = header["spec"].Deserialize<ClassifierSpec>(Json) ?? throw new InvalidDataException($"{SpecEntry} has no spec.");
            spec.Validate();
            return (spec, header["weightsSha256"]?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{SpecEntry} holds an invalid spec: {e.Message}", e);
        }
    }
}
