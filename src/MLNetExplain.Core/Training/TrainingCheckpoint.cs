using System.IO.Compression;
using System.Text.Json;
using MLNetExplain.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// A training checkpoint: one zip file with <c>checkpoint.json</c> (epochs done, optimiser steps, the options it
/// was written with), <c>model.safetensors</c> and <c>optimizer.bin</c> (TorchSharp's optimiser state format),
/// written atomically after every epoch.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string FormatName = "MLNetExplain.TrainingCheckpoint";
    private const int FormatVersion = 1;

    public static void Save(string path, nn.Module model, optim.Optimizer optimizer, string configuration, int epochsDone, long steps)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var archive = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
                {
                    using (var writer = new StreamWriter(archive.CreateEntry("checkpoint.json").Open()))
                    {
                        writer.Write(JsonSerializer.Serialize(new Header(FormatName, FormatVersion, epochsDone, steps, configuration)));
                    }

                    using (var scope = NewDisposeScope())
                    using (var weights = archive.CreateEntry("model.safetensors", CompressionLevel.NoCompression).Open())
                    {
                        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().contiguous());
                        Safetensors.SaveStateDict(weights, state, leaveOpen: true);
                    }

                    using var optimizerState = new BinaryWriter(archive.CreateEntry("optimizer.bin", CompressionLevel.NoCompression).Open());
                    ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(optimizerState);
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Restores model and optimiser; returns (epochs done, steps taken).</summary>
    public static (int Epochs, long Steps) Restore(string path, nn.Module model, optim.Optimizer optimizer, string configuration)
    {
        try
        {
            using var archive = ZipFile.OpenRead(path);
            Header header;
            using (var reader = new StreamReader(Entry(archive, "checkpoint.json").Open()))
            {
                header = JsonSerializer.Deserialize<Header>(reader.ReadToEnd()) ?? throw new InvalidDataException("checkpoint.json is empty.");
            }

            if (header.Format != FormatName || header.Version < 1)
            {
                throw new InvalidDataException("It is not an MLNetExplain training checkpoint.");
            }

            if (header.Version > FormatVersion)
            {
                throw new NotSupportedException($"Checkpoint '{path}' was written by a newer MLNetExplain (format version {header.Version}).");
            }

            if (header.Configuration != configuration)
            {
                throw new InvalidDataException(
                    $"It was written with other training options; delete it or use the options it was written with ({header.Configuration}).");
            }

            using var buffer = new MemoryStream();
            using (var weights = Entry(archive, "model.safetensors").Open())
            {
                weights.CopyTo(buffer);
            }

            buffer.Position = 0;
            var state = Safetensors.LoadStateDict(buffer, leaveOpen: true);
            try
            {
                ModuleState.Assign(model, state, "model.safetensors");
            }
            finally
            {
                foreach (var t in state.Values)
                {
                    t.Dispose();
                }
            }

            using (var optimizerState = new BinaryReader(Entry(archive, "optimizer.bin").Open()))
            {
                ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(optimizerState);
            }

            return (header.Epochs, header.Steps);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException)
        {
            throw new InvalidDataException($"Training checkpoint '{path}': {e.Message}", e);
        }
    }

    private static ZipArchiveEntry Entry(ZipArchive archive, string name) =>
        archive.GetEntry(name) ?? throw new InvalidDataException($"It has no {name}.");

    private sealed record Header(string Format, int Version, int Epochs, long Steps, string Configuration);
}
