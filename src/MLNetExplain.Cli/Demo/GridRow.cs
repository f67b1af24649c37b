namespace MLNetExplain.Cli.Demo;

/// <summary>One row of the explanation grid: the image's pixels, its classes and the three maps, each [1, H, W].</summary>
/// <param name="Image">Pixels in [0, 1].</param>
/// <param name="Label">The true class (0-based).</param>
/// <param name="Predicted">The class f predicted (0-based).</param>
/// <param name="Saliency">Saliency of f for its predicted class.</param>
/// <param name="Robust">The robust attribution of f' for the true class.</param>
/// <param name="Explainer">The explainer head's map.</param>
internal sealed record GridRow(float[] Image, int Label, int Predicted, float[] Saliency, float[] Robust, float[] Explainer);
