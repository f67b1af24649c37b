using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.ML.Trainers;

/// <summary>
/// Settings every MLNetExplain image classification trainer shares: columns, network, optimiser basics, seed,
/// device, checkpointing and scoring. ML.NET gives third parties no access to the <c>MLContext</c> from a catalog,
/// so seed, device and cancellation travel here.
/// </summary>
public abstract class ImageTrainerOptions
{
    /// <summary>The key label column.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The image column: a <c>Vector&lt;Single, C, H, W&gt;</c> of pixels in [0, 1].</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The probabilities column the fitted model appends.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The predicted-class key column the fitted model appends.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>The network trained from scratch; null trains a <see cref="ClassifierSpec.SmallCnn"/> sized for the data.</summary>
    public ClassifierSpec? Model { get; set; }

    /// <summary>Passes over the training rows.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Images per optimiser step.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>Seed of the initial weights, the shuffling and every random draw of training.</summary>
    public long Seed { get; set; }

    /// <summary>Where to write a checkpoint after every epoch; null writes none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists (the result equals an uninterrupted run).</summary>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Where to train and score (the CPU when null); tensors follow the model.</summary>
    public Device? Device { get; set; }

    /// <summary>Checked before every training step.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Rows per forward pass when the fitted model scores.</summary>
    public int ScoringBatchSize { get; set; } = 128;
}
