using System.IO.Compression;
using System.Text.Json;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// A training checkpoint: one zip file with <c>checkpoint.json</c> (epochs done, optimiser steps, the options it
/// was written with), <c>model.safetensors</c> and <c>optimizer.bin</c> (TorchSharp's optimiser state format),
/// written atomically after every epoch.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Kind = "training checkpoint";
    private const string FormatName = "MLNetExplain.TrainingCheckpoint";
    private const int FormatVersion = 1;
    private const string HeaderEntry = "checkpoint.json";
    private const string ModelEntry = "model.safetensors";
    private const string OptimizerEntry = "optimizer.bin";

    public static void Save(string path, nn.Module model, optim.Optimizer optimizer, string configuration, int epochsDone, long steps) =>
        ModelArchive.Write(path,
        [
            new(HeaderEntry, s => JsonSerializer.Serialize(s, new Header(FormatName, FormatVersion, epochsDone, steps, configuration))),
            .. State(ModelEntry, model, optimizer),
        ]);

    /// <summary>Restores model and optimiser; returns (epochs done, steps taken).</summary>
    public static (int Epochs, long Steps) Restore(string path, nn.Module model, optim.Optimizer optimizer, string configuration) =>
        ModelArchive.Read(path, Kind, archive =>
        {
            var header = archive.Header(HeaderEntry, FormatName, FormatVersion).Deserialize<Header>()
                ?? throw new InvalidDataException($"{HeaderEntry} is empty.");
            if (header.Configuration != configuration)
            {
                throw new InvalidDataException(
                    $"It was written with other training options; delete it or use the options it was written with ({header.Configuration}).");
            }

            RestoreState(archive, ModelEntry, model, optimizer);
            return (header.Epochs, header.Steps);
        });

    /// <summary>The entries that hold a run's state: the model's state dict under <paramref name="modelEntry"/> and the optimiser's state.</summary>
    public static ModelArchive.Entry[] State(string modelEntry, nn.Module model, optim.Optimizer optimizer) =>
    [
        new(modelEntry, s => ModuleState.Save(model, s), CompressionLevel.NoCompression),
        new(OptimizerEntry, s =>
        {
            using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
        }, CompressionLevel.NoCompression),
    ];

    /// <summary>Restores the model and the optimiser from the entries <see cref="State"/> wrote.</summary>
    public static void RestoreState(ModelArchive archive, string modelEntry, nn.Module model, optim.Optimizer optimizer)
    {
        using (var weights = archive.Open(modelEntry))
        {
            ModuleState.Load(model, weights, modelEntry);
        }

        try
        {
            using var state = new BinaryReader(archive.Open(OptimizerEntry));
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(state);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{OptimizerEntry} is truncated.", e);
        }
    }

    private sealed record Header(string Format, int Version, int Epochs, long Steps, string Configuration);
}
