using MLNetExplain.Attribution;
using MLNetExplain.Evaluation;
using MLNetExplain.ML.Imaging;
using SkiaSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>One method's MPRT similarities, one value per randomised layer (mean over the images).</summary>
internal sealed record SanityRow(string Method, IReadOnlyList<double> Spearman, IReadOnlyList<double> Ssim);

/// <summary>The MPRT table and figure: layer names in randomisation order, a row per method, and the maps of one image.</summary>
internal sealed record SanityResult(IReadOnlyList<string> Layers, IReadOnlyList<SanityRow> Rows, byte[] Grid);

/// <summary>
/// MPRT (Adebayo et al. 2018) on f with Quantus's defaults (top-down cascade, |map|, Spearman and SSIM): f's layers,
/// explainer head included, are re-initialised from the output down, and each method's maps of the first test images
/// are compared with the maps of the trained model. The robust attribution does not read f at all, so it keeps a
/// correlation of 1 by construction: the check shows which maps explain f.
/// </summary>
internal static class ReproduceSanity
{
    public static SanityResult Compute(ReproduceModels models, IReadOnlyList<ReproduceMethod> methods, ReproduceData data, ReproduceOptions o,
        CancellationToken token)
    {
        long n = Math.Min(o.SanityRows, data.TestImages.shape[0]);
        using var scope = NewDisposeScope();
        var images = data.TestImages.narrow(0, 0, n);
        var targets = models.Explained.Explain(images).Predicted;
        var rows = new List<SanityRow>();
        var shown = new List<(string Method, List<float[]> Maps)>();
        IReadOnlyList<string> layers = [];
        foreach (var method in methods.Where(m => !m.IsRandom))
        {
            var attribution = method.Create!(models, o);
            try
            {
                var recorder = new RecordingMethod(attribution);
                var result = ModelRandomization.Compute(models.Explained, recorder, images, targets,
                    new ModelRandomizationOptions { Seed = o.Seed }, token);
                layers = [.. result.Layers.Select(l => l.Layer)];
                rows.Add(new SanityRow(method.Name, [.. result.Layers.Select(l => l.MeanSpearman)], [.. result.Layers.Select(l => l.MeanSsim)]));
                shown.Add((method.Name, recorder.FirstImage));
            }
            finally
            {
                (attribution as IDisposable)?.Dispose();
            }
        }

        return new SanityResult(layers, rows, Grid(images[0], shown, layers));
    }

    /// <summary>Rows: methods; columns: the trained model's map, then after each randomised layer (at most 8 shown, evenly spaced).</summary>
    private static byte[] Grid(Tensor image, IReadOnlyList<(string Method, List<float[]> Maps)> shown, IReadOnlyList<string> layers)
    {
        int steps = shown.Count == 0 ? 0 : shown[0].Maps.Count;
        var columns = Enumerable.Range(0, steps).Where(k => k == 0 || steps <= 9 || (k - 1) % Math.Max(1, (steps - 1) / 8) == 0 || k == steps - 1).Distinct().ToList();
        int h = (int)image.shape[1], w = (int)image.shape[2];
        var grid = new ImageGrid(shown.Count, columns.Count + 1, w, h, 3) { FontSize = 11f };
        grid.SetColumnLabel(0, "input");
        for (int c = 0; c < columns.Count; c++)
        {
            grid.SetColumnLabel(c + 1, columns[c] == 0 ? "trained" : $"to {layers[columns[c] - 1]}");
        }

        var heat = new HeatmapOptions { Sign = HeatmapSign.Absolute };
        float[] pixels = image.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        for (int r = 0; r < shown.Count; r++)
        {
            using (var input = PlanarPixels.ToBitmap(pixels, (int)image.shape[0], h, w))
            {
                grid.SetCell(r, 0, input);
            }

            grid.SetRowLabel(r, shown[r].Method);
            for (int c = 0; c < columns.Count; c++)
            {
                var map = shown[r].Maps[columns[c]];
                using SKBitmap bitmap = HeatmapRenderer.Render(map, map.Length / (h * w), h, w, heat);
                grid.SetCell(r, c + 1, bitmap);
            }
        }

        using var page = grid.Render();
        return PngFile.Encode(page);
    }

    /// <summary>
    /// Passes calls through and keeps the first image's map of every call (MPRT calls once per stage), as managed
    /// arrays: the maps' tensors belong to MPRT's dispose scopes.
    /// </summary>
    private sealed class RecordingMethod(IAttributionMethod inner) : IAttributionMethod
    {
        public List<float[]> FirstImage { get; } = [];

        public string Name => inner.Name;

        public Tensor Attribute(Tensor inputs, Tensor targets)
        {
            var maps = inner.Attribute(inputs, targets);
            using (var first = maps[0].detach().to_type(ScalarType.Float32).contiguous())
            {
                FirstImage.Add(first.data<float>().ToArray());
            }

            return maps;
        }
    }
}
