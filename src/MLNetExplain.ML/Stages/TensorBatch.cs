using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// Up to a capacity of rows gathered for one call of a <see cref="BatchedTensorMap"/>: the images copied into one
/// pinned float buffer (the tensor's memory), the class indices, and after <see cref="ReadOutput"/> first asks,
/// the computed columns. Reused from batch to batch.
/// </summary>
internal sealed class TensorBatch : IDisposable
{
    private readonly TensorBatchFunction _function;
    private readonly TensorMapLayout _layout;
    private readonly float[] _pixels;
    private readonly long[] _targets;
    private readonly float[][] _outputs;
    private bool _computed;

    public TensorBatch(TensorMapLayout layout, int capacity)
    {
        _layout = layout;
        Capacity = capacity;
        _pixels = GC.AllocateUninitializedArray<float>(checked(capacity * layout.InputSize), pinned: true);
        _targets = new long[capacity];
        _outputs = [.. layout.Outputs.Select(o => new float[checked(capacity * o.Size)])];
        _function = layout.Map.Open();
    }

    /// <summary>Starts the computation afresh (a seeded method restarts its noise).</summary>
    public void Restart() => _function.Restart();

    /// <summary>Frees the computation's state.</summary>
    public void Dispose() => _function.Dispose();

    /// <summary>The most rows.</summary>
    public int Capacity { get; }

    /// <summary>Rows gathered.</summary>
    public int Count { get; private set; }

    /// <summary>Forgets the rows (keeps the buffers).</summary>
    public void Clear()
    {
        Count = 0;
        _computed = false;
    }

    /// <summary>Copies one row's image and class; <paramref name="position"/> names the row in errors.</summary>
    public void Add(in VBuffer<float> image, uint key, long position)
    {
        var size = _layout.InputSize;
        if (image.Length != size)
        {
            throw new InvalidDataException(
                $"Row {position}: column '{_layout.Input.Name}' holds {image.Length} values; its type {_layout.Input.Type} needs {size}.");
        }

        image.CopyTo(_pixels.AsSpan(Count * size, size));
        if (_layout.Target is { } target)
        {
            if (key == 0 || key > _layout.TargetClasses)
            {
                throw new InvalidDataException(
                    $"Row {position}: column '{target.Name}' holds key {key}, outside 1..{_layout.TargetClasses} (0 means missing).");
            }

            // ML.NET keys are 1-based; 0 is the missing value.
            _targets[Count] = key - 1;
        }

        Count++;
    }

    /// <summary>Row <paramref name="slot"/>'s values of output <paramref name="output"/>, computing the batch on first use.</summary>
    public void ReadOutput(int output, int slot, ref VBuffer<float> destination)
    {
        if (!_computed)
        {
            Compute();
            _computed = true;
        }

        var size = _layout.Outputs[output].Size;
        var editor = VBufferEditor.Create(ref destination, size);
        _outputs[output].AsSpan(slot * size, size).CopyTo(editor.Values);
        destination = editor.Commit();
    }

    /// <summary>Row <paramref name="slot"/>'s 1-based key of key output <paramref name="output"/> (computed as a 0-based index).</summary>
    public void ReadKey(int output, int slot, ref uint destination)
    {
        if (!_computed)
        {
            Compute();
            _computed = true;
        }

        destination = (uint)_outputs[output][slot] + 1;
    }

    private void Compute()
    {
        var map = _layout.Map;
        using var scope = NewDisposeScope();
        long[] shape = [Capacity, .. _layout.InputDimensions.Select(d => (long)d)];
        var images = tensor(_pixels, shape).narrow(0, 0, Count);
        var targets = _layout.Target is null ? null : tensor(_targets, [Capacity]).narrow(0, 0, Count);
        var results = _function.Compute(images, targets);
        if (results.Length != _layout.Outputs.Count)
        {
            throw new InvalidOperationException($"The {map.Stage} stage computed {results.Length} tensors for {_layout.Outputs.Count} output columns.");
        }

        for (var k = 0; k < results.Length; k++)
        {
            var output = _layout.Outputs[k];
            var result = results[k];
            if (result.dtype != ScalarType.Float32 || result.shape[0] != Count || result.numel() != (long)Count * output.Size)
            {
                throw new InvalidOperationException(
                    $"The {map.Stage} stage computed a {result.dtype} tensor [{string.Join(", ", result.shape)}] for column '{output.Name}'; expected Float32 [{Count}, {output.Size} values].");
            }

            var values = result.detach().cpu().contiguous();
            MemoryMarshal.Cast<byte, float>(values.bytes).CopyTo(_outputs[k]);
        }
    }
}
