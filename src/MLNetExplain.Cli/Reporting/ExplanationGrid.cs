using MLNetExplain.Cli.Demo;
using MLNetExplain.ML.Imaging;
using SkiaSharp;

namespace MLNetExplain.Cli.Reporting;

/// <summary>
/// The demo's PNG: one row per test image with the input, saliency of f, the robust attribution of f' and the
/// explainer's map, each row labelled with the true and the predicted class.
/// </summary>
internal static class ExplanationGrid
{
    /// <summary>Pixels per image pixel in the grid.</summary>
    public const int Scale = 4;

    /// <summary>The column labels, left to right.</summary>
    public static readonly string[] Columns = ["Input", "Saliency of f", "Robust g(f')", "Explainer E(f)"];

    /// <summary>Lays out the rows on a grid of 28x28 cells.</summary>
    public static ImageGrid Build(IReadOnlyList<GridRow> rows, IReadOnlyList<string> classNames, int height = 28, int width = 28)
    {
        var grid = new ImageGrid(rows.Count, Columns.Length, width, height, Scale);
        for (int c = 0; c < Columns.Length; c++)
        {
            grid.SetColumnLabel(c, Columns[c]);
        }

        // Captum's heat-map convention: absolute values, 2% outliers clipped, sequential colour map.
        var heat = new HeatmapOptions { Sign = HeatmapSign.Absolute };
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            using (var image = PlanarPixels.ToBitmap(row.Image, 1, height, width))
            {
                grid.SetCell(r, 0, image);
            }

            float[][] maps = [row.Saliency, row.Robust, row.Explainer];
            for (int m = 0; m < maps.Length; m++)
            {
                using SKBitmap map = HeatmapRenderer.Render(maps[m], 1, height, width, heat);
                grid.SetCell(r, m + 1, map);
            }

            grid.SetRowLabel(r, $"{classNames[row.Label]} / pred. {classNames[row.Predicted]}");
        }

        return grid;
    }
}
