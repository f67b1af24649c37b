using Microsoft.ML;

namespace MLNetExplain.ML.Imaging;

/// <summary>The output of <see cref="HeatmapRenderingTransformer.Transform"/>: the input view with the image column
/// added, rendered lazily per row.</summary>
internal sealed class HeatmapRenderingDataView : IDataView
{
    private readonly IDataView _input;
    private readonly HeatmapColumnBinding _binding;

    public HeatmapRenderingDataView(IDataView input, HeatmapColumnBinding binding)
    {
        _input = input;
        _binding = binding;
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _binding.OutputSchema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        (IEnumerable<DataViewSchema.Column> inputColumns, bool outputActive) = Split(columnsNeeded);
        return new HeatmapCursor(_input.GetRowCursor(inputColumns, rand), _binding, outputActive);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        (IEnumerable<DataViewSchema.Column> inputColumns, bool outputActive) = Split(columnsNeeded);
        return [.. _input.GetRowCursorSet(inputColumns, n, rand).Select(c => new HeatmapCursor(c, _binding, outputActive))];
    }

    /// <summary>The input columns to read for <paramref name="columnsNeeded"/>, and whether the image is among them.</summary>
    internal static (IEnumerable<DataViewSchema.Column> Input, bool OutputActive) Split(
        HeatmapColumnBinding binding, IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var input = new HashSet<int>();
        bool outputActive = false;
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            if (column.Index == binding.OutputIndex)
            {
                outputActive = true;
            }
            else if (column.Index < binding.InputSchema.Count)
            {
                input.Add(column.Index);
            }
            else
            {
                throw new ArgumentException($"Column '{column.Name}' is not in this view's schema.", nameof(columnsNeeded));
            }
        }

        if (outputActive)
        {
            input.UnionWith(binding.Dependencies.Select(c => c.Index));
        }

        return ([.. input.Order().Select(i => binding.InputSchema[i])], outputActive);
    }

    private (IEnumerable<DataViewSchema.Column> Input, bool OutputActive) Split(IEnumerable<DataViewSchema.Column> columnsNeeded) =>
        Split(_binding, columnsNeeded);
}
