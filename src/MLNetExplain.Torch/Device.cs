namespace MLNetExplain.Torch;

/// <summary>Kinds of compute device (libtorch's c10::DeviceType codes).</summary>
public enum DeviceType
{
    /// <summary>The host CPU.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda = 1,
}

/// <summary>A compute device: a type plus an index (-1 for "the current one").</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>The CUDA device with the given index.</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>CUDA device 0 when one is present, otherwise the CPU.</summary>
    public static Device BestAvailable => Torch.IsCudaAvailable ? Cuda() : Cpu;

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var index = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : -1;
        return parts[0] switch
        {
            "cpu" => Cpu,
            "cuda" or "gpu" => new Device(DeviceType.Cuda, Math.Max(index, 0)),
            _ => throw new FormatException($"Unknown device '{text}'; expected 'cpu', 'cuda' or 'cuda:N'."),
        };
    }

    /// <inheritdoc />
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
