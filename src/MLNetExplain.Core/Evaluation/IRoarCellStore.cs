namespace MLNetExplain.Evaluation;

/// <summary>
/// Where a ROAR/KAR run keeps finished cells, so an interrupted grid resumes without retraining them: the
/// evaluator asks <see cref="TryGet"/> before each cell and calls <see cref="Add"/> as soon as one finishes
/// (a file-backed store can write it there). <see cref="RoarCellStore"/> keeps them in memory.
/// </summary>
public interface IRoarCellStore
{
    /// <summary>The accuracy of a finished cell, if the store has it.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="accuracy">Its test accuracy.</param>
    bool TryGet(RoarCell cell, out double accuracy);

    /// <summary>Records a finished cell.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="accuracy">Its test accuracy.</param>
    void Add(RoarCell cell, double accuracy);
}
