using System.Diagnostics;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>Accumulates an epoch's loss, accuracy and throughput from each step's batch.</summary>
internal sealed class EpochMeter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lossSum;
    private long _correct;
    private long _seen;

    /// <summary>Adds one step: its mean loss and the logits and labels of its batch.</summary>
    public void Record(Tensor loss, Tensor logits, Tensor labels)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long count = labels.shape[0];
        _lossSum += loss.detach().to_type(ScalarType.Float64).item<double>() * count;
        _correct += logits.argmax(1).eq(labels).sum().item<long>();
        _seen += count;
    }

    /// <summary>The epoch's report.</summary>
    public TrainingProgress Finish(int epoch, int epochs, long steps, double learningRate)
    {
        if (_seen == 0)
        {
            throw new InvalidOperationException($"Epoch {epoch + 1}: the batch source gave no images.");
        }

        return new TrainingProgress(epoch + 1, epochs, steps, _lossSum / _seen, (double)_correct / _seen, learningRate,
            _seen / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9));
    }
}
