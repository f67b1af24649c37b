namespace MLNetExplain.Evaluation;

/// <summary>What <see cref="RoarEvaluator"/> reports after each cell.</summary>
/// <param name="Cell">The cell.</param>
/// <param name="Accuracy">Its test accuracy.</param>
/// <param name="Restored">True when the cell came from the store instead of being trained.</param>
/// <param name="Completed">Cells done so far, this one included.</param>
/// <param name="Total">Cells in the grid.</param>
public sealed record RoarProgress(RoarCell Cell, double Accuracy, bool Restored, int Completed, int Total);
