namespace MLNetExplain.Training;

/// <summary>What a trainer reports after each epoch.</summary>
/// <param name="Epoch">Epochs completed (1-based).</param>
/// <param name="Epochs">Epochs of the whole run.</param>
/// <param name="Steps">Optimiser steps taken so far in the run (a resumed run counts the restored ones).</param>
/// <param name="Loss">Mean training loss over the epoch's images.</param>
/// <param name="Accuracy">Accuracy of the training logits over the epoch (on adversarial examples for adversarial training).</param>
/// <param name="LearningRate">The learning rate used in the epoch.</param>
/// <param name="ImagesPerSecond">Training throughput in the epoch.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, long Steps, double Loss, double Accuracy, double LearningRate, double ImagesPerSecond);
