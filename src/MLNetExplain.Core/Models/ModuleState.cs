using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// A module's state dict saved as safetensors (PyTorch names), and copied back into a module's own tensors after
/// checking names, shapes and types.
/// </summary>
internal static class ModuleState
{
    /// <summary>Writes the state dict of <paramref name="module"/> (CPU copies, any device) to <paramref name="stream"/>, left open.</summary>
    public static void Save(nn.Module module, Stream stream)
    {
        using var scope = NewDisposeScope();
        var state = module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
        Safetensors.SaveStateDict(stream, state, leaveOpen: true);
    }

    /// <summary>
    /// Reads a state dict written by <see cref="Save"/> from <paramref name="stream"/> (left open) into
    /// <paramref name="module"/>, as <see cref="Assign"/> does.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream holds no safetensors, or tensors that do not fit; the message names <paramref name="source"/>.</exception>
    public static void Load(nn.Module module, Stream stream, string source)
    {
        Dictionary<string, Tensor> state;
        try
        {
            state = Safetensors.LoadStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{source} is not a valid safetensors file: {e.Message}", e);
        }

        try
        {
            Assign(module, state, source);
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
    /// Copies <paramref name="state"/> into <paramref name="module"/> in place (so it works for any module,
    /// TorchScript included). Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> when a name
    /// is missing or extra, or a shape or type differs.
    /// </summary>
    public static void Assign(nn.Module module, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw new InvalidDataException(
                $"{source} does not fit the model: missing [{string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", ..." : "")}], " +
                $"unexpected [{string.Join(", ", unexpected.Take(8))}{(unexpected.Count > 8 ? ", ..." : "")}].");
        }

        foreach (var (name, target) in own)
        {
            var value = state[name];
            if (!value.shape.SequenceEqual(target.shape) || value.dtype != target.dtype)
            {
                throw new InvalidDataException(
                    $"{source}: '{name}' is {value.dtype} [{string.Join(", ", value.shape)}]; the model expects {target.dtype} [{string.Join(", ", target.shape)}].");
            }
        }

        using var noGrad = no_grad();
        foreach (var (name, target) in own)
        {
            target.copy_(state[name]);
        }
    }
}
