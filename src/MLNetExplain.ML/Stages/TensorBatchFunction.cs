using static TorchSharp.torch;

namespace MLNetExplain.ML.Stages;

/// <summary>
/// The computation one cursor (or one PredictionEngine row) of a <see cref="BatchedTensorMap"/> runs per batch,
/// with the state it owns: a stateful method (a seeded noise generator) starts afresh in every cursor, so a pass
/// over the data repeats for a given row order.
/// </summary>
/// <param name="compute">
/// Images float32 [N, C, H, W] and class indices int64 [N] (or null without a target column) to one Float32 tensor
/// per output column, [N, dims...]. It runs inside a DisposeScope that frees what it returns and allocates.
/// </param>
/// <param name="restart">Starts a stateful method afresh (before every batch and every PredictionEngine row), or null.</param>
/// <param name="dispose">Frees the state with the cursor, or null.</param>
internal sealed class TensorBatchFunction(Func<Tensor, Tensor?, Tensor[]> compute, Action? restart = null, Action? dispose = null) : IDisposable
{
    /// <summary>Runs the computation on one batch.</summary>
    public Tensor[] Compute(Tensor images, Tensor? targets) => compute(images, targets);

    /// <summary>Starts the method's state afresh (a seeded method restarts its noise); counters such as progress carry on.</summary>
    public void Restart() => restart?.Invoke();

    /// <inheritdoc />
    public void Dispose() => dispose?.Invoke();
}
