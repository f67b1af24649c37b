using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Imaging;

/// <summary>
/// Adds an image column (<see cref="MLImage"/>, <c>W x H</c> times <see cref="HeatmapRenderingEstimator.Options.Scale"/>)
/// rendering each row's attribution as a heat map, over the row's image when an image column is set. Made by
/// <see cref="HeatmapRenderingEstimator.Fit"/>.
/// </summary>
/// <remarks>
/// Rendering is lazy: a row is drawn only when the image column is read, and each read makes a new
/// <see cref="MLImage"/> that the reader owns (dispose it when done). Works with <c>PredictionEngine</c>.
/// ML.NET's model zip cannot hold third-party stages (its save context is internal), so <c>mlContext.Model.Save</c>
/// of a chain holding this stage throws <see cref="NotSupportedException"/>; the stage has no learned state, and
/// <see cref="Options"/> is all there is to keep.
/// </remarks>
public sealed class HeatmapRenderingTransformer : ITransformer
{
    internal HeatmapRenderingTransformer(HeatmapRenderingEstimator.Options options)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The columns and rendering settings.</summary>
    public HeatmapRenderingEstimator.Options Options { get; }

    /// <summary>Always true: the stage maps each row on its own.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema with the image column added.</summary>
    /// <param name="inputSchema">The schema of the data to transform.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a column is missing or of the wrong type or shape.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Bind(inputSchema).OutputSchema;

    /// <summary>The input with the image column added; nothing is rendered until the column is read.</summary>
    /// <param name="input">The data.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a column is missing or of the wrong type or shape.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new HeatmapRenderingDataView(input, Bind(input.Schema));
    }

    /// <summary>The stage as a row-to-row mapper over <paramref name="inputSchema"/> (what <c>PredictionEngine</c> uses).</summary>
    /// <param name="inputSchema">The schema of the rows to map.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new HeatmapRowMapper(Bind(inputSchema));

    /// <summary>Not supported: ML.NET's model format is closed to third-party stages.</summary>
    /// <param name="ctx">Unused.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        $"{nameof(HeatmapRenderingTransformer)} cannot be written into an ML.NET model zip (ML.NET keeps its save " +
        "context internal). Save the pipeline with MLNetExplain's own model saving, or re-create this stage from its Options.");

    private HeatmapColumnBinding Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new HeatmapColumnBinding(Options, inputSchema);
    }
}
