using MLNetExplain.Engine;
using MLNetExplain.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Training;

/// <summary>Accuracy and robust accuracy (accuracy under a PGD attack) of a classifier on tensors.</summary>
public static class ClassifierEvaluation
{
    /// <summary>
    /// The fraction of <paramref name="images"/> whose arg-max logit is the label. The model runs in eval mode (its
    /// mode is restored afterwards); batches move to the device of its parameters.
    /// </summary>
    /// <typeparam name="TModel">A TorchSharp module or a TorchScript module.</typeparam>
    /// <param name="model">Maps images to logits.</param>
    /// <param name="images">Images [N, C, H, W] in [0, 1].</param>
    /// <param name="labels">Class indices, int64 [N].</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    public static double Accuracy<TModel>(TModel model, Tensor images, Tensor labels, int batchSize = 256,
        CancellationToken cancellationToken = default)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor> =>
        Evaluate(model, images, labels, batchSize, cancellationToken, (x, _) => x.alias());

    /// <summary>
    /// Accuracy on PGD adversarial examples of every image (robust accuracy); with epsilon 0 it equals
    /// <see cref="Accuracy"/>. The attack draws its random starts from <paramref name="seed"/>, so results repeat.
    /// </summary>
    /// <typeparam name="TModel">A TorchSharp module or a TorchScript module.</typeparam>
    /// <param name="model">Maps images to logits.</param>
    /// <param name="images">Images [N, C, H, W] in [0, 1].</param>
    /// <param name="labels">Class indices, int64 [N].</param>
    /// <param name="attack">The attack.</param>
    /// <param name="batchSize">Images per attack batch.</param>
    /// <param name="seed">Seed of the attack's random starts.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    public static double RobustAccuracy<TModel>(TModel model, Tensor images, Tensor labels, PgdAttack attack,
        int batchSize = 256, long seed = 0, CancellationToken cancellationToken = default)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor>
    {
        ArgumentNullException.ThrowIfNull(attack);
        ArgumentNullException.ThrowIfNull(model);
        using var generator = new Generator((ulong)seed, ModuleDevice.Of(model, images.device));
        return Evaluate(model, images, labels, batchSize, cancellationToken, (x, y) => attack.Perturb(model, x, y, generator));
    }

    private static double Evaluate<TModel>(TModel model, Tensor images, Tensor labels, int batchSize,
        CancellationToken cancellationToken, Func<Tensor, Tensor, Tensor> inputs)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor>
    {
        ArgumentNullException.ThrowIfNull(model);
        LabelledBatch.Check(images, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        // Batches go to the model's device; the images may stay where they are (e.g. a test set on the CPU).
        var device = ModuleDevice.Of(model, images.device);
        bool wasTraining = model.training;
        model.eval();
        try
        {
            long correct = 0, count = images.shape[0];
            for (long start = 0; start < count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long size = Math.Min(batchSize, count - start);
                var y = labels.narrow(0, start, size).to(device);
                var x = inputs(images.narrow(0, start, size).to(device), y);
                using var noGrad = no_grad();
                var logits = model.call(x);
                LabelledBatch.CheckLogits(logits, y);
                correct += logits.argmax(1).eq(y).sum().item<long>();
            }

            return (double)correct / count;
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
