using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>Reads TorchScript archives (files written by <c>torch.jit.save</c>) with messages that say what went wrong.</summary>
internal static class TorchScriptArchive
{
    /// <summary>The bytes of the TorchScript file <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TorchScript file '{path}' does not exist.", path);
        }

        return File.ReadAllBytes(path);
    }

    /// <summary>Loads <paramref name="torchScript"/> onto <paramref name="device"/> (the CPU when null).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a TorchScript archive, or libtorch cannot load them.</exception>
    public static jit.ScriptModule<Tensor, Tensor> Load(byte[] torchScript, Device? device, string source)
    {
        ArgumentNullException.ThrowIfNull(torchScript);
        // TorchScript archives are zip files; checking the signature first turns a wrong file (a state dict pickled
        // with torch.save in the legacy format, safetensors, an image) into a clear message instead of a libtorch one.
        if (torchScript.Length < 4 || torchScript[0] != 'P' || torchScript[1] != 'K' || torchScript[2] != 3 || torchScript[3] != 4)
        {
            throw new InvalidDataException(
                $"'{source}' is not a TorchScript file: TorchScript files are zip archives written by torch.jit.save (export with torch.jit.trace(model, example).save(path)).");
        }

        try
        {
            return jit.load<Tensor, Tensor>(torchScript, device ?? CPU);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"'{source}' could not be loaded as TorchScript ({ex.Message}). Export it from Python with torch.jit.trace or torch.jit.script and torch.jit.save (a state dict saved with torch.save is not TorchScript).", ex);
        }
    }

    /// <summary>Validates an image shape [C, H, W] given for a model.</summary>
    /// <exception cref="ArgumentException">Not three positive sizes.</exception>
    public static void CheckInputShape(IReadOnlyList<long>? inputShape)
    {
        if (inputShape is not null && (inputShape.Count != 3 || inputShape.Any(size => size < 1)))
        {
            throw new ArgumentException($"inputShape must be the image shape [C, H, W] with positive sizes; got [{string.Join(", ", inputShape)}].", nameof(inputShape));
        }
    }

    /// <summary>Validates class names given for a model.</summary>
    /// <exception cref="ArgumentException">Empty, or a name is null.</exception>
    public static void CheckClassNames(IReadOnlyList<string>? classNames)
    {
        if (classNames is not null && (classNames.Count == 0 || classNames.Any(name => name is null)))
        {
            throw new ArgumentException("classNames must hold one non-null name per class.", nameof(classNames));
        }
    }

    /// <summary>Checks images against the model's declared shape [C, H, W].</summary>
    /// <exception cref="ArgumentException">The images are not [N, C, H, W] with that shape.</exception>
    public static void CheckImages(Tensor input, IReadOnlyList<long>? inputShape, string source)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (inputShape is { } shape && (input.dim() != 4 || !input.shape.AsSpan(1).SequenceEqual(shape.ToArray())))
        {
            throw new ArgumentException(
                $"The TorchScript model '{source}' takes images [N, {string.Join(", ", shape)}]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }
    }
}
