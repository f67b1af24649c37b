using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.ML.Persistence;
using SkiaSharp;

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
/// of a chain holding this stage throws <see cref="NotSupportedException"/>; <c>mlContext.Model.SaveWithExplainers</c>
/// saves it (its <see cref="Options"/>, colour maps included, are all there is to keep).
/// </remarks>
public sealed class HeatmapRenderingTransformer : ITransformer, IExplainSavable
{
    /// <summary>The stage's kind in files written by <c>SaveWithExplainers</c>.</summary>
    internal const string SavedKind = "RenderHeatmap";

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
        "context internal). Save the pipeline with mlContext.Model.SaveWithExplainers instead.");

    string IExplainSavable.Kind => SavedKind;

    /// <summary>Every setting can be saved.</summary>
    void IExplainSavable.CheckSavable()
    {
    }

    void IExplainSavable.Save(ExplainStageWriter writer) => writer.WriteSettings(new Saved(
        Options.OutputColumnName, Options.InputColumnName, Options.ImageColumnName, Options.Scale, Options.Sign,
        Options.OutlierPercent, Options.Alpha, Options.GreyBackground,
        SavedColorMap.From(Options.SequentialMap), SavedColorMap.From(Options.DivergingMap)));

    /// <summary>Reads a stage written by <see cref="IExplainSavable.Save"/>.</summary>
    internal static HeatmapRenderingTransformer Load(ExplainStageReader reader)
    {
        Saved saved = reader.ReadSettings<Saved>();
        if (saved.SequentialMap?.Anchors is null || saved.DivergingMap?.Anchors is null)
        {
            throw new InvalidDataException($"Model file '{reader.Path}' holds heat map settings without their colour maps.");
        }

        try
        {
            return new HeatmapRenderingTransformer(new HeatmapRenderingEstimator.Options
            {
                OutputColumnName = saved.OutputColumnName,
                InputColumnName = saved.InputColumnName,
                ImageColumnName = saved.ImageColumnName,
                Scale = saved.Scale,
                Sign = saved.Sign,
                OutlierPercent = saved.OutlierPercent,
                Alpha = saved.Alpha,
                GreyBackground = saved.GreyBackground,
                SequentialMap = saved.SequentialMap.ToColorMap(),
                DivergingMap = saved.DivergingMap.ToColorMap(),
            });
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new InvalidDataException($"Model file '{reader.Path}' holds heat map settings that are not valid: {e.Message}", e);
        }
    }

    private HeatmapColumnBinding Bind(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new HeatmapColumnBinding(Options, inputSchema);
    }

    /// <summary>The saved settings.</summary>
    private sealed record Saved(
        string OutputColumnName, string InputColumnName, string? ImageColumnName, int Scale, HeatmapSign Sign,
        double OutlierPercent, double Alpha, bool GreyBackground, SavedColorMap SequentialMap, SavedColorMap DivergingMap);

    /// <summary>A colour map as its name and anchors in <c>#RRGGBB</c> form.</summary>
    private sealed record SavedColorMap(string Name, string[] Anchors)
    {
        public static SavedColorMap From(ColorMap map) =>
            new(map.Name, [.. map.Anchors.Select(a => $"#{a.Red:X2}{a.Green:X2}{a.Blue:X2}")]);

        public ColorMap ToColorMap() => new(Name, [.. Anchors.Select(ParseColour)]);

        private static SKColor ParseColour(string hex) =>
            hex is ['#', _, _, _, _, _, _] && uint.TryParse(hex.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint rgb)
                ? new SKColor((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb)
                : throw new FormatException($"'{hex}' is not a #RRGGBB colour.");
    }
}
