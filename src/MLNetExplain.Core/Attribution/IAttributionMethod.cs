using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// An attribution method over a batch, Captum's <c>attribute(inputs, target)</c> shape: one map per input
/// element, explaining the logit of each example's target class.
/// </summary>
public interface IAttributionMethod
{
    /// <summary>A short name for reports and column annotations (e.g. "Saliency").</summary>
    string Name { get; }

    /// <summary>Attributions shaped like <paramref name="inputs"/> [N, C, H, W].</summary>
    /// <param name="inputs">Images [N, C, H, W] on the model's device; not modified.</param>
    /// <param name="targets">Class index per example, int64 [N].</param>
    Tensor Attribute(Tensor inputs, Tensor targets);
}
