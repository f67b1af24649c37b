using System.IO.Compression;
using System.Text.Json;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Serialization;

namespace MLNetExplain.Data;

/// <summary>
/// Where a transformer writes itself inside a model file: a folder of the zip holding <c>params.json</c>,
/// safetensors weight files and child transformers.
/// </summary>
public sealed class ModelSaveContext
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, IncludeFields = true };
    private readonly ZipArchive _zip;
    private readonly string _prefix;

    internal ModelSaveContext(ZipArchive zip, string prefix) => (_zip, _prefix) = (zip, prefix);

    /// <summary>Writes the transformer's parameters as JSON.</summary>
    public void SetParameters<T>(T parameters)
    {
        using var s = _zip.CreateEntry(_prefix + "params.json", CompressionLevel.Optimal).Open();
        JsonSerializer.Serialize(s, parameters, Json);
    }

    /// <summary>Writes named tensors as a safetensors entry.</summary>
    public void SaveTensors(string name, IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var s = _zip.CreateEntry(_prefix + name + ".safetensors", CompressionLevel.Fastest).Open();
        SafeTensors.Write(s, tensors);
    }

    /// <summary>Writes a module's state dict.</summary>
    public void SaveModule(string name, Module module) => SaveTensors(name, module.StateDict());

    /// <summary>Writes a child transformer (its type and its own folder).</summary>
    public void SaveChild(string name, ITransformer transformer)
    {
        if (transformer is not ISavableTransformer savable)
        {
            throw new NotSupportedException($"{transformer.GetType().Name} cannot be saved (it does not implement ISavableTransformer).");
        }

        var prefix = _prefix + name + "/";
        using (var s = _zip.CreateEntry(prefix + "type.txt").Open())
        using (var w = new StreamWriter(s))
        {
            w.Write(transformer.GetType().AssemblyQualifiedName);
        }

        savable.Save(new ModelSaveContext(_zip, prefix));
    }
}

/// <summary>Reads what a <see cref="ModelSaveContext"/> wrote; errors name the model file and the entry.</summary>
public sealed class ModelLoadContext
{
    private readonly ZipArchive _zip;
    private readonly string _prefix;

    internal ModelLoadContext(ZipArchive zip, string prefix, string source) => (_zip, _prefix, Source) = (zip, prefix, source);

    /// <summary>The model file being read (for messages).</summary>
    public string Source { get; }

    /// <summary>Reads the transformer's parameters.</summary>
    public T GetParameters<T>()
    {
        using var s = Open("params.json");
        try
        {
            return JsonSerializer.Deserialize<T>(s, ModelSaveContext.Json) ?? throw Corrupt("params.json", "is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Model file '{Source}': entry '{_prefix}params.json' is not valid ({ex.Message}).", ex);
        }
    }

    /// <summary>Reads named tensors; the caller owns them.</summary>
    public Dictionary<string, Tensor> LoadTensors(string name)
    {
        using var s = Open(name + ".safetensors");
        using var buffered = new MemoryStream();
        s.CopyTo(buffered);
        buffered.Position = 0;
        return SafeTensors.Read(buffered, $"{Source}:{_prefix}{name}.safetensors").Tensors;
    }

    /// <summary>Loads a module's state dict written by <see cref="ModelSaveContext.SaveModule"/>.</summary>
    public void LoadModule(string name, Module module)
    {
        var state = LoadTensors(name);
        try
        {
            module.LoadStateDict(state);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Model file '{Source}': weights '{_prefix}{name}' do not fit: {ex.Message}", ex);
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>
    /// Builds a module with <paramref name="build"/> and loads the weights saved under <paramref name="name"/> into it;
    /// the module is disposed if the weights do not fit.
    /// </summary>
    public T LoadModule<T>(string name, Func<T> build) where T : Module
    {
        ArgumentNullException.ThrowIfNull(build);
        var module = build();
        try
        {
            LoadModule(name, module);
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>Loads a child transformer written by <see cref="ModelSaveContext.SaveChild"/>.</summary>
    public ITransformer LoadChild(string name)
    {
        var prefix = _prefix + name + "/";
        string typeName;
        using (var s = new ModelLoadContext(_zip, prefix, Source).Open("type.txt"))
        using (var r = new StreamReader(s))
        {
            typeName = r.ReadToEnd();
        }

        var type = Type.GetType(typeName, throwOnError: false) ?? throw Corrupt(prefix + "type.txt", $"names an unknown type '{typeName}'");
        var load = typeof(ISavableTransformer).IsAssignableFrom(type)
            ? type.GetMethod("Load", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static, [typeof(ModelLoadContext)])
            : null;
        if (load is null)
        {
            throw Corrupt(prefix + "type.txt", $"names {type.Name}, which has no public static Load(ModelLoadContext)");
        }

        try
        {
            return (ITransformer)load.Invoke(null, [new ModelLoadContext(_zip, prefix, Source)])!;
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    internal Stream Open(string entry)
    {
        var e = _zip.GetEntry(_prefix + entry) ?? throw Corrupt(entry, "is missing");
        try
        {
            return e.Open();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Model file '{Source}': entry '{_prefix}{entry}' is corrupt ({ex.Message}).", ex);
        }
    }

    private InvalidDataException Corrupt(string entry, string what) => new($"Model file '{Source}': entry '{_prefix}{entry}' {what}.");
}
