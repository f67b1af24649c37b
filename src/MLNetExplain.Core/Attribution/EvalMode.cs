using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// Puts a model in eval mode for the length of a using block and restores its mode after: attributions must not
/// let examples interact through batch statistics, nor update a user's batch-norm running statistics.
/// </summary>
internal readonly struct EvalMode : IDisposable
{
    private readonly nn.Module _model;
    private readonly bool _wasTraining;

    public EvalMode(nn.Module model)
    {
        _model = model;
        _wasTraining = model.training;
        if (_wasTraining)
        {
            model.eval();
        }
    }

    public void Dispose()
    {
        if (_wasTraining)
        {
            _model.train();
        }
    }
}
