using Microsoft.ML;

namespace MLNetExplain.ML.Persistence;

/// <summary>
/// Saving and loading pipelines that hold MLNetExplain stages, on <c>mlContext.Model</c>. ML.NET's own model zip
/// cannot hold third-party stages (its save and load contexts are internal), so these write one zip with a
/// manifest, each run of built-in ML.NET stages as an ML.NET model entry and each MLNetExplain stage as JSON
/// options plus safetensors weights.
/// </summary>
public static class ExplainerModelOperations
{
    /// <summary>The exception an MLNetExplain stage's <c>ICanSaveModel.Save</c> throws.</summary>
    internal static NotSupportedException NotSupported(string stage) =>
        new($"The {stage} stage cannot be saved by mlContext.Model.Save (ML.NET's model format holds only its own stages); use mlContext.Model.SaveWithExplainers (MLNetExplain.ML.Persistence) instead.");
}
