namespace MLNetExplain.Evaluation;

/// <summary>
/// Trains a fresh classifier on a (modified) training set and returns its accuracy on the (equally modified) test
/// set: the retraining step of ROAR and KAR. Implementations must start from a new initialisation drawn from
/// <c>seed</c> every call, never from a trained model, and should be deterministic per seed.
/// </summary>
public interface IRoarTrainer
{
    /// <summary>Trains from scratch on <see cref="RoarDataset.TrainImages"/> and returns top-1 accuracy on the test split.</summary>
    /// <param name="data">The modified train and test data; owned by the evaluator (do not dispose).</param>
    /// <param name="seed">Seed of the initialisation and of the training's random draws.</param>
    /// <param name="cancellationToken">Checked during training.</param>
    double TrainAndTest(RoarDataset data, long seed, CancellationToken cancellationToken);
}
