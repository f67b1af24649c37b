using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Explainer;

/// <summary>Options of <see cref="ExplainerAlignmentTrainer"/>. Defaults follow seed 001 where it gives them.</summary>
public sealed class ExplainerAlignmentOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Images per step (256 in seed 001 for CIFAR-10).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>SGD's initial learning rate (0.1 in seed 001).</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>SGD momentum (0.9 in seed 001).</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>Epochs between learning-rate decays (seed 001's "step-wise decay"; the paper gives no numbers); 0 keeps the rate constant.</summary>
    public int DecayEpochs { get; set; } = 10;

    /// <summary>Factor applied to the learning rate every <see cref="DecayEpochs"/> epochs.</summary>
    public double DecayFactor { get; set; } = 0.1;

    /// <summary>
    /// Optimiser steps over which the learning rate ramps linearly from rate/N to the scheduled rate (0: none).
    /// The L2 distance sums over every pixel, so at full rate the head's shared parameters (the output bias above
    /// all) take steps about sqrt(H*W) times larger than the cross-entropy's; from a random head that can silence
    /// every ReLU of the narrow upsampling layers for good (a constant map). With 200 steps every head we tried
    /// trained (docs/explainer.md). The step count is derived from the row count, so a resumed run warms up exactly
    /// as an uninterrupted one.
    /// </summary>
    public int WarmupSteps { get; set; } = 200;

    /// <summary>Weight of the alignment distance (0.35 in seed 001).</summary>
    public double Lambda { get; set; } = 0.35;

    /// <summary>The distance (seed 001's Eq. 5 as written: per-example L2).</summary>
    public AlignmentDistance Distance { get; set; } = AlignmentDistance.L2;

    /// <summary>Per-example scaling applied to the targets before alignment (robust maps scaled to max 1 by default).</summary>
    public AttributionNormalization TargetNormalization { get; set; } = AttributionNormalization.MaxAbs;

    /// <summary>
    /// The robust counterpart f', to compute targets on the fly (SmoothGrad for the true class, channel-summed for
    /// a one-channel head) when no precomputed targets are given.
    /// </summary>
    public nn.Module<Tensor, Tensor>? RobustModel { get; set; }

    /// <summary>SmoothGrad settings for on-the-fly targets (50 samples, noise level 0.15); its seed is replaced by one derived from <see cref="Seed"/>.</summary>
    public SmoothGradOptions RobustSmoothGrad { get; set; } = new();

    /// <summary>Freeze the classifier (eval mode, no gradients) and train only the explainer head.</summary>
    public bool PostHoc { get; set; }

    /// <summary>Layers of the head before its 1x1 output (4 in seed 001).</summary>
    public int HeadLayers { get; set; } = 4;

    /// <summary>Seed of the head's initialisation, the shuffling and the on-the-fly noise.</summary>
    public long Seed { get; set; }

    /// <summary>Where to save a checkpoint after every epoch (atomically); null for none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool ResumeFromCheckpoint { get; set; }

    internal void Validate()
    {
        if (Epochs < 0 || BatchSize < 1 || HeadLayers < 1 || WarmupSteps < 0 || DecayEpochs < 0)
        {
            throw new ArgumentException($"Epochs and WarmupSteps must be >= 0 and BatchSize, HeadLayers >= 1; got {Epochs}, {WarmupSteps}, {BatchSize}, {HeadLayers}.", "options");
        }

        if (!(LearningRate > 0) || !(Momentum >= 0) || !(WeightDecay >= 0) || !(Lambda >= 0) || !(DecayFactor > 0))
        {
            throw new ArgumentException("LearningRate and DecayFactor must be positive; Momentum, WeightDecay and Lambda non-negative.", "options");
        }

        ArgumentNullException.ThrowIfNull(RobustSmoothGrad, nameof(RobustSmoothGrad));
        RobustSmoothGrad.Validate();
    }
}
