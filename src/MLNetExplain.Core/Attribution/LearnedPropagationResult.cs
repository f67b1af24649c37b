using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>Learned-propagation attributions with the loss of every optimisation step.</summary>
/// <param name="Attributions">Maps shaped like the inputs, from the rule after the last step.</param>
/// <param name="Losses">[Steps + 1, N]: row k is each example's loss with the plugin after k Adam steps (row 0: the
/// identity rule, i.e. Input x Gradient; the last row: the returned maps).</param>
public sealed record LearnedPropagationResult(Tensor Attributions, Tensor Losses) : IDisposable
{
    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        Attributions.Dispose();
        Losses.Dispose();
    }
}
