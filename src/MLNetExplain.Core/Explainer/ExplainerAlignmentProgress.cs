namespace MLNetExplain.Explainer;

/// <summary>What <see cref="ExplainerAlignmentTrainer"/> reports after each epoch (means over the epoch's images).</summary>
/// <param name="Epoch">Epochs done (1-based).</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Loss">The minimised loss.</param>
/// <param name="CrossEntropy">The classifier's cross-entropy.</param>
/// <param name="Distance">The alignment distance.</param>
/// <param name="Accuracy">Training accuracy of the classifier.</param>
/// <param name="ImagesPerSecond">Throughput.</param>
public sealed record ExplainerAlignmentProgress(int Epoch, int Epochs, double Loss, double CrossEntropy, double Distance, double Accuracy, double ImagesPerSecond);
