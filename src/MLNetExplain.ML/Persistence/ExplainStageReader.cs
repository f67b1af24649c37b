using System.IO.Compression;
using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Persistence;

/// <summary>Reads one stage's entries back from a model file; errors name the file and the entry.</summary>
internal sealed class ExplainStageReader(ZipArchive zip, string folder, string path)
{
    /// <summary>The model file, for messages.</summary>
    public string Path => path;

    /// <summary>Reads <c>settings.json</c>.</summary>
    public T ReadSettings<T>()
    {
        var name = folder + "settings.json";
        try
        {
            using var stream = Open(name);
            return JsonSerializer.Deserialize<T>(stream, ExplainStageWriter.Json) ?? throw new JsonException("The settings are null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Model file '{path}': entry '{name}' is not valid ({ex.Message}).", ex);
        }
    }

    /// <summary>Loads <c>{name}.safetensors</c> into <paramref name="module"/>, which must have every saved tensor.</summary>
    public void LoadModule(string name, nn.Module module)
    {
        var entry = folder + name + ".safetensors";
        // The safetensors reader seeks, which a zip entry stream cannot.
        using var buffer = new MemoryStream();
        using (var stream = Open(entry))
        {
            stream.CopyTo(buffer);
        }

        buffer.Position = 0;
        try
        {
            module.load_safetensors(buffer, true, null, null, false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"Model file '{path}': entry '{entry}' does not hold the weights of {module.GetType().Name} ({ex.Message}).", ex);
        }
    }

    private Stream Open(string name) =>
        (zip.GetEntry(name) ?? throw new InvalidDataException($"Model file '{path}' lacks entry '{name}' (truncated or altered).")).Open();
}
