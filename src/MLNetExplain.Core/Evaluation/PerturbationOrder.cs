namespace MLNetExplain.Evaluation;

/// <summary>Whether pixels are removed from the image or revealed on the substrate.</summary>
public enum PerturbationOrder
{
    /// <summary>Deletion: start from the image and remove the most important pixels first (lower area is better).</summary>
    Deletion,

    /// <summary>Insertion: start from the substrate and reveal the most important pixels first (higher area is better).</summary>
    Insertion,
}
