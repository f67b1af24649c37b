using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Persistence;

/// <summary>Collects one stage's entries (JSON settings, safetensors weights) under its folder of the model file.</summary>
internal sealed class ExplainStageWriter(string folder)
{
    /// <summary>JSON settings as written and read: readable enums, indented.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly List<(string Name, byte[] Content)> _entries = [];

    /// <summary>The entries written so far, with their full names in the file.</summary>
    public IReadOnlyList<(string Name, byte[] Content)> Entries => _entries;

    /// <summary>Writes <paramref name="settings"/> as <c>settings.json</c>.</summary>
    public void WriteSettings<T>(T settings) => _entries.Add((folder + "settings.json", JsonSerializer.SerializeToUtf8Bytes(settings, Json)));

    /// <summary>Writes <paramref name="module"/>'s parameters and buffers as <c>{name}.safetensors</c> (PyTorch state-dict names).</summary>
    public void WriteModule(string name, nn.Module module)
    {
        using var stream = new MemoryStream();
        module.save_safetensors(stream, null, true);
        _entries.Add((folder + name + ".safetensors", stream.ToArray()));
    }
}
