using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Persistence;

/// <summary>
/// Saving and loading pipelines that hold MLNetExplain stages, on <c>mlContext.Model</c>. ML.NET's own model zip
/// cannot hold third-party stages (its save and load contexts are internal), so these write one zip with a
/// manifest, each run of built-in ML.NET stages as an ML.NET model entry, and each MLNetExplain stage as JSON
/// settings plus safetensors weights. <c>mlContext.Model.Load</c> cannot read such a file, and
/// <c>mlContext.Model.Save</c> refuses a chain with MLNetExplain stages.
/// </summary>
/// <example>
/// <code>
/// ModelArchitectures.Register&lt;MyCnn&gt;("MyCnn", m =&gt; "", _ =&gt; new MyCnn());
/// mlContext.Model.SaveWithExplainers(model, data.Schema, "explained.zip");
/// var loaded = mlContext.Model.LoadWithExplainers("explained.zip", out var inputSchema);
/// </code>
/// </example>
public static class ExplainerModelOperations
{
    /// <summary>The model file format version this library writes (and the newest it reads).</summary>
    public const int FormatVersion = ExplainerModelFile.FormatVersion;

    /// <summary>
    /// Saves <paramref name="model"/> (a chain of built-in ML.NET and MLNetExplain stages, or one stage) with the
    /// schema of the data it was fitted on. Every stage is checked and serialised before anything is written; the
    /// file is written to a temporary file and moved into place.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema the pipeline reads.</param>
    /// <param name="path">The model file; replaced if it exists.</param>
    /// <exception cref="NotSupportedException">A stage cannot be saved (e.g. an attribution stage over your own
    /// method instance, or a model type not registered with <see cref="ModelArchitectures"/>).</exception>
    public static void SaveWithExplainers(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ExplainerModelFile.Save(catalog, model, inputSchema, path);
    }

    /// <summary>Loads a pipeline saved by <see cref="SaveWithExplainers"/> as one flat chain of its stages.</summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The schema the pipeline was saved with.</param>
    /// <returns>The pipeline; dispose it to free the loaded TorchSharp models.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is corrupt, truncated, a plain ML.NET model, or not a model file.</exception>
    /// <exception cref="NotSupportedException">The file was written by a newer MLNetExplain.</exception>
    public static TransformerChain<ITransformer> LoadWithExplainers(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ExplainerModelFile.Load(catalog, path, out inputSchema);
    }

    /// <summary>The exception an MLNetExplain stage's <c>ICanSaveModel.Save</c> throws.</summary>
    internal static NotSupportedException NotSupported(string stage) =>
        new($"The {stage} stage cannot be saved by mlContext.Model.Save (ML.NET's model format holds only its own stages); use mlContext.Model.SaveWithExplainers (MLNetExplain.ML.Persistence) instead.");
}
