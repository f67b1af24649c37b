using static TorchSharp.torch;

namespace MLNetExplain.Engine;

/// <summary>Where a module computes: inputs and targets follow it there.</summary>
public static class ModuleDevice
{
    /// <summary>The device of <paramref name="module"/>'s first parameter, or <paramref name="whenNoParameters"/> (the CPU when null) for a module without parameters.</summary>
    /// <param name="module">The model.</param>
    /// <param name="whenNoParameters">The device to assume when the module has no parameters.</param>
    public static Device Of(nn.Module module, Device? whenNoParameters = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.parameters().FirstOrDefault()?.device ?? whenNoParameters ?? CPU;
    }
}
