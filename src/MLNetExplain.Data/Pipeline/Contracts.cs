namespace MLNetExplain.Data;

/// <summary>A fitted pipeline stage: maps a data view to another, lazily (ML.NET's ITransformer).</summary>
public interface ITransformer
{
    /// <summary>Whether each output row depends only on the same input row.</summary>
    bool IsRowToRowMapper { get; }

    /// <summary>The schema <see cref="Transform"/> would produce; throws <see cref="SchemaMismatchException"/> when the input does not fit.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>A lazy view of the transformed data; nothing is computed until it is cursored.</summary>
    IDataView Transform(IDataView input);
}

/// <summary>An unfitted pipeline stage (ML.NET's IEstimator).</summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>
    /// The static shape of the output for an input shape, checked before any fitting; throws
    /// <see cref="SchemaMismatchException"/> naming the column, the expected type and this stage.
    /// </summary>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);

    /// <summary>Learns from <paramref name="input"/> and returns the fitted transformer.</summary>
    TTransformer Fit(IDataView input);
}

/// <summary>A transformer that can be written into a model file by <see cref="ModelOperationsCatalog.Save"/>.</summary>
/// <remarks>
/// Implementations also declare <c>public static TSelf Load(ModelLoadContext context)</c>; the loader finds it
/// by reflection from the type name recorded in the file.
/// </remarks>
public interface ISavableTransformer : ITransformer
{
    /// <summary>Writes parameters and weights into <paramref name="context"/>.</summary>
    void Save(ModelSaveContext context);
}
