namespace MLNetExplain.Vision.Models;

/// <summary>
/// A trained classifier that explanation stages can use: the network and the spec that rebuilds it (for
/// saving). Fitted classifier transformers implement it, so attribution stages take them directly.
/// </summary>
public interface ITrainedClassifier
{
    /// <summary>The network, taking images in [0, 1].</summary>
    ConvClassifier Model { get; }

    /// <summary>The architecture description.</summary>
    ClassifierSpec Spec { get; }
}
