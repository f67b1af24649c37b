using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.ML.Imaging;

/// <summary>The rendering stage as a row-to-row mapper, which <c>PredictionEngine</c> needs.</summary>
internal sealed class HeatmapRowMapper : IRowToRowMapper
{
    private readonly HeatmapColumnBinding _binding;

    public HeatmapRowMapper(HeatmapColumnBinding binding) => _binding = binding;

    public DataViewSchema InputSchema => _binding.InputSchema;

    public DataViewSchema OutputSchema => _binding.OutputSchema;

    /// <summary>The input columns needed: pass-through columns asked for, plus the attribution and image columns
    /// when the rendered image is asked for.</summary>
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
        HeatmapRenderingDataView.Split(_binding, dependingColumns).Input;

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool outputActive = HeatmapRenderingDataView.Split(_binding, activeColumns).OutputActive;
        return new HeatmapRow(input, _binding, outputActive);
    }
}
