using MLNetExplain.Torch.NN;

namespace MLNetExplain.Torch.Serialization;

/// <summary>Saving and loading a module's state dict as safetensors.</summary>
public static class ModuleSerialization
{
    /// <summary>Writes the module's parameters and buffers to <paramref name="path"/> atomically.</summary>
    public static void Save(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Save(path, module.StateDict(), metadata);
    }

    /// <summary>
    /// Loads parameters and buffers from a safetensors file written by <see cref="Save"/> (or by Python's
    /// <c>safetensors.torch.save_file(model.state_dict())</c>). Mismatches fail before anything is written.
    /// </summary>
    public static void Load(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var state = SafeTensors.Load(path);
        try
        {
            module.LoadStateDict(state, strict);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Cannot load '{path}' into {module.GetType().Name}: {ex.Message}", ex);
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }
}
