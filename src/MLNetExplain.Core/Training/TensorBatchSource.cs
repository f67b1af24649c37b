using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>
/// Batches from images and labels held in tensors, reshuffled every epoch with a permutation drawn from
/// (seed, epoch), so every epoch's order is reproducible on its own (which checkpoint resume needs).
/// </summary>
public sealed class TensorBatchSource : IBatchSource
{
    private readonly Tensor _images;
    private readonly Tensor _labels;

    /// <summary>Wraps the tensors (no copy; the caller keeps ownership).</summary>
    /// <param name="images">Images [N, C, H, W] in [0, 1].</param>
    /// <param name="labels">Class indices, int64 [N].</param>
    /// <param name="batchSize">Images per batch; the last batch of an epoch may be smaller.</param>
    /// <param name="shuffle">Whether each epoch visits the images in a new random order.</param>
    /// <param name="seed">Seed of the shuffling.</param>
    /// <exception cref="ArgumentException">Shapes, types or pixel range are wrong.</exception>
    public TensorBatchSource(Tensor images, Tensor labels, int batchSize, bool shuffle = true, long seed = 0)
    {
        LabelledBatch.Check(images, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _images = images;
        _labels = labels;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether epochs are shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffling.</summary>
    public long Seed { get; }

    /// <summary>Number of images.</summary>
    public long Count => _images.shape[0];

    /// <inheritdoc />
    public IEnumerable<(Tensor Images, Tensor Labels)> Batches(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return Enumerate(epoch);
    }

    private IEnumerable<(Tensor Images, Tensor Labels)> Enumerate(int epoch)
    {
        long count = Count;
        Tensor? order = null;
        try
        {
            if (Shuffle)
            {
                using var generator = new Generator(TrainingSeeds.ForEpoch(Seed, epoch, stream: 1));
                order = randperm(count, generator: generator).DetachFromDisposeScope();
            }

            for (long start = 0; start < count; start += BatchSize)
            {
                long size = Math.Min(BatchSize, count - start);
                if (order is null)
                {
                    yield return (_images.narrow(0, start, size), _labels.narrow(0, start, size));
                }
                else
                {
                    using var index = order.narrow(0, start, size).to(_images.device);
                    yield return (_images.index_select(0, index), _labels.index_select(0, index));
                }
            }
        }
        finally
        {
            order?.Dispose();
        }
    }
}
