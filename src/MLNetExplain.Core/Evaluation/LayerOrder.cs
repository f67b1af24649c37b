namespace MLNetExplain.Evaluation;

/// <summary>In which order MPRT randomises a model's layers (Quantus's <c>layer_order</c>).</summary>
public enum LayerOrder
{
    /// <summary>Cascading from the output layer down: layer k's result has every layer from the top to k randomised (Adebayo et al.; Quantus default).</summary>
    TopDown,

    /// <summary>Cascading from the input layer up.</summary>
    BottomUp,

    /// <summary>One layer at a time, the others keeping their trained weights.</summary>
    Independent,
}
