using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>Copies a saved state dict into a module's own tensors, after checking names, shapes and types.</summary>
internal static class ModuleState
{
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
