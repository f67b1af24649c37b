using MLNetExplain.Cli.Demo;
using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Cli.Reporting;

/// <summary>The demo's PNG: one row per image with the input, saliency of f, robust attribution of f' and the explainer's map.</summary>
internal static class ExplanationGrid
{
    public static void Write(string path, IReadOnlyList<GridRow> rows, IReadOnlyList<string> classNames)
    {
        const int size = 28;
        var grid = new ImageGrid(rows.Count, 4, size, size, scale: 4) { FontScale = 2 };
        string[] columns = ["Input", "Saliency", "Robust", "Explainer"];
        for (var c = 0; c < columns.Length; c++)
        {
            grid.SetColumnLabel(c, columns[c]);
        }

        // Captum's heat-map convention: absolute values, 2% outliers clipped, sequential colour map.
        var heat = new HeatmapOptions { Sign = HeatmapSign.Absolute };
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var pixels = row.Image.Select(v => (byte)Math.Clamp(MathF.Round(v * 255), 0, 255)).ToArray();
            grid.SetCell(r, 0, new RasterImage(pixels, size, size, 1));
            grid.SetCell(r, 1, HeatmapRenderer.Render(row.Saliency, 1, size, size, heat));
            grid.SetCell(r, 2, HeatmapRenderer.Render(row.Robust, 1, size, size, heat));
            grid.SetCell(r, 3, HeatmapRenderer.Render(row.Explainer, 1, size, size, heat));
            var label = classNames[row.Label];
            grid.SetRowLabel(r, row.Predicted == row.Label ? label : $"{label} (as {classNames[row.Predicted]})");
        }

        grid.SavePng(path);
    }
}
