using Microsoft.ML;

namespace MLNetExplain.ML.Imaging;

/// <summary>Heat map rendering in ML.NET pipelines: <c>mlContext.Transforms.RenderHeatmap(...)</c>.</summary>
public static class HeatmapCatalog
{
    /// <summary>
    /// Renders an attribution column into an image column (<c>MLImage</c>) with Captum's conventions (see
    /// <see cref="HeatmapRenderer"/>), optionally over an image column.
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Name of the image column made.</param>
    /// <param name="inputColumnName">Name of the attribution column, <c>Vector&lt;Single, C, H, W&gt;</c> or <c>Vector&lt;Single, H, W&gt;</c>.</param>
    /// <param name="imageColumnName">An image column to draw over (an <c>MLImage</c> column of the attribution's size,
    /// or planar pixels <c>Vector&lt;Single or Byte, 1 or 3, H, W&gt;</c>); null for the heat map alone.</param>
    /// <param name="sign">Which attributions to show. Default <see cref="HeatmapSign.Absolute"/>.</param>
    /// <param name="outlierPercent">Percentage of attribution mass that saturates. Default 2.</param>
    /// <param name="alpha">Opacity of the heat map over the image. Default 0.5.</param>
    /// <param name="scale">Integer magnification of the output. Default 1.</param>
    /// <example>
    /// <code>
    /// var pipeline = explainer // any stage that adds an "Attribution" column of Vector&lt;Single, 1, 28, 28&gt;
    ///     .Append(mlContext.Transforms.RenderHeatmap("Heatmap", "Attribution", imageColumnName: "Features", scale: 4));
    /// var engine = mlContext.Model.CreatePredictionEngine&lt;Input, Output&gt;(pipeline.Fit(data));
    /// using MLImage heatmap = engine.Predict(input).Heatmap;
    /// heatmap.Save("heatmap.png");
    /// </code>
    /// </example>
    public static HeatmapRenderingEstimator RenderHeatmap(this TransformsCatalog catalog,
        string outputColumnName, string inputColumnName, string? imageColumnName = null,
        HeatmapSign sign = HeatmapSign.Absolute, double outlierPercent = 2.0, double alpha = 0.5, int scale = 1) =>
        catalog.RenderHeatmap(new HeatmapRenderingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ImageColumnName = imageColumnName,
            Sign = sign,
            OutlierPercent = outlierPercent,
            Alpha = alpha,
            Scale = scale,
        });

    /// <summary>Renders an attribution column into an image column, from options (colour maps and grey background
    /// included).</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="options">Columns and rendering settings.</param>
    public static HeatmapRenderingEstimator RenderHeatmap(this TransformsCatalog catalog, HeatmapRenderingEstimator.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new HeatmapRenderingEstimator(options);
    }
}
