using TorchSharp;
using MLNetExplain.Models;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// The default ROAR retraining: builds <see cref="Spec"/> with PyTorch's default initialisation drawn from the
/// seed, trains it with <see cref="ClassifierTrainer"/> (its options with <c>Seed</c> set to the cell's seed) and
/// measures test accuracy with <see cref="ClassifierEvaluation.Accuracy"/>.
/// </summary>
public sealed class SpecRoarTrainer : IRoarTrainer
{
    /// <summary>Creates the trainer.</summary>
    /// <param name="spec">The architecture retrained for every cell (normally the evaluated model's own).</param>
    /// <param name="options">Training settings (epochs, optimiser, schedule); null takes <see cref="ClassifierTrainer.Options"/>' defaults.</param>
    /// <param name="device">Where to train; null for the CPU.</param>
    public SpecRoarTrainer(ClassifierSpec spec, ClassifierTrainer.Options? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        Options = options ?? new ClassifierTrainer.Options();
        Options.Validate();
        Device = device ?? CPU;
    }

    /// <summary>The retrained architecture.</summary>
    public ClassifierSpec Spec { get; }

    /// <summary>The training settings (the seed is replaced per cell).</summary>
    public ClassifierTrainer.Options Options { get; }

    /// <summary>Where models are trained.</summary>
    public Device Device { get; }

    /// <inheritdoc />
    public double TrainAndTest(RoarDataset data, long seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var generator = new Generator(unchecked((ulong)seed));
        using var model = Spec.Build(generator);
        model.to(Device);
        new ClassifierTrainer(Options with { Seed = seed, CheckpointPath = null, ResumeFromCheckpoint = false })
            .Train(model, data.TrainImages, data.TrainLabels, null, cancellationToken);
        return ClassifierEvaluation.Accuracy(model, data.TestImages, data.TestLabels, cancellationToken: cancellationToken);
    }
}
