namespace MLNetExplain.Data;

/// <summary>Saving and loading fitted pipelines, and single-row prediction (ML.NET's ModelOperationsCatalog).</summary>
public sealed class ModelOperationsCatalog
{
    private readonly ExplainContext _context;

    internal ModelOperationsCatalog(ExplainContext context) => _context = context;

    /// <summary>
    /// Writes a fitted transformer (or chain) and the schema it expects into one zip file, atomically. Every stage
    /// must implement <see cref="ISavableTransformer"/>.
    /// </summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ModelFile.Save(model, inputSchema, filePath);
        _context.WriteLog(nameof(ModelOperationsCatalog), $"Saved {model.GetType().Name} to {filePath}.");
    }

    /// <summary>
    /// Reads a model written by <see cref="Save"/>. A truncated, corrupted, wrong-version or wrong-schema file
    /// raises <see cref="InvalidDataException"/> naming the file, and nothing stays loaded.
    /// </summary>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema) => ModelFile.Load(filePath, out inputSchema);

    /// <summary>
    /// A prediction engine for one row at a time. Not thread-safe, like ML.NET's: create one per thread
    /// (it refuses concurrent calls), or use <see cref="CreatePredictionEnginePool{TSrc, TDst}"/>.
    /// </summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model)
        where TSrc : class where TDst : class, new() => new(model);

    /// <summary>A thread-safe pool handing each thread its own engine.</summary>
    public PredictionEnginePool<TSrc, TDst> CreatePredictionEnginePool<TSrc, TDst>(ITransformer model)
        where TSrc : class where TDst : class, new() => new(model);
}
