using System.Globalization;
using System.Net;
using System.Text;
using MLNetExplain.Cli.Demo;
using MLNetExplain.ML.Imaging;

namespace MLNetExplain.Cli.Reporting;

/// <summary>
/// The demo's self-contained HTML report: settings, accuracy, latency, deletion curves (a PNG chart) with their
/// areas, the explanation grid and the training log; images are embedded as base64, so the file travels alone.
/// </summary>
internal static class HtmlReport
{
    /// <summary>Renders the report and writes it atomically (temporary file, then move).</summary>
    public static void Write(string path, DemoReport report) =>
        PngFile.WriteAtomically(path, Encoding.UTF8.GetBytes(Render(report)));

    /// <summary>The report's HTML.</summary>
    public static string Render(DemoReport report)
    {
        var o = report.Options;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MLNetExplain demo report</title><style>")
            .Append("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3em .8em;text-align:left}th{background:#f3f3f3}img{max-width:100%}")
            .Append("footer{margin-top:3em;font-size:.85em;color:#666}</style></head><body>")
            .Append("<h1>Robust attribution alignment on Fashion-MNIST</h1>")
            .Append(Invariant($"<p>Seed 001's method end to end: a robust counterpart f' trained with PGD-L2, its SmoothGrad saliency as robust ",
                $"attributions, and a classifier f trained with an explainer head E aligned to them. {report.Threads} CPU threads, ",
                $"{report.Elapsed.TotalMinutes:F1} minutes.</p>"));

        html.Append("<h2>Settings</h2><table><tr><th>Setting</th><th>Value</th></tr>")
            .Append(Row("Training images (Fashion-MNIST train, first rows)", Invariant($"{o.TrainRows}")))
            .Append(Row("Test images (Fashion-MNIST test, first rows)", Invariant($"{o.TestRows}")))
            .Append(Row("Architecture of f and f'", o.Model.ToString()))
            .Append(Row("Robust f': PGD-L2 adversarial training", Invariant($"eps {o.Epsilon}, {o.AttackSteps} steps, {o.RobustEpochs} epochs")))
            .Append(Row("Robust attributions g(f', x)", Invariant($"SmoothGrad, {o.Samples} samples, noise level 0.15, true class, scaled to max 1")))
            .Append(Row("f + E: explainer alignment", Invariant($"lambda {o.Lambda}, {o.Epochs} epochs")))
            .Append(Row("Seed", Invariant($"{o.Seed}")))
            .Append("</table>");

        html.Append("<h2>Accuracy</h2><table><tr><th>Model</th><th>Accuracy</th></tr>")
            .Append(Row(Invariant($"f (classifier with explainer), clean ({o.TestRows} images)"), Percent(report.ClassifierAccuracy)))
            .Append(Row(Invariant($"f' (robust counterpart), clean ({o.TestRows} images)"), Percent(report.RobustCleanAccuracy)))
            .Append(Row(Invariant($"f' under PGD-20 L2, eps {o.Epsilon} ({report.AttackedRows} images)"), Percent(report.RobustAdversarialAccuracy)))
            .Append("</table>");

        html.Append("<h2>Latency per image</h2><p>Measured side by side in this run on the same classifier f: the methods alternate in ")
            .Append(Invariant($"{o.LatencyRounds} rounds, each keeping the fastest of 5 runs, and the median over the rounds is shown (other processes' preemption "))
            .Append("does not decide it). ")
            .Append("The explainer gives the prediction and the map in one forward pass; saliency is given the classes, so it runs one ")
            .Append("forward and one backward pass (the least any gradient map costs).</p>")
            .Append("<table><tr><th>Method</th><th>Batch</th><th>ms per image</th><th>Relative to saliency</th></tr>");
        foreach (var l in report.Latency)
        {
            var saliency = report.Latency.FirstOrDefault(s => s.Method == "Saliency" && s.BatchSize == l.BatchSize);
            var ratio = saliency is null ? "" : Invariant($"{l.MillisecondsPerImage / saliency.MillisecondsPerImage:F2}x");
            html.Append(Row(l.Method, Invariant($"{l.BatchSize}"), Invariant($"{l.MillisecondsPerImage:F3}"), ratio));
        }

        html.Append("</table>");

        html.Append(Invariant($"<h2>Deletion curves</h2><p>Probability of f's clean prediction as the most important pixels (by each map) are replaced "))
            .Append(Invariant($"by the image's mean intensity, in 5% steps, averaged over {report.DeletionRows} test images (RISE's deletion metric; a lower "))
            .Append("area means the map finds the pixels f relies on). The mean substrate rather than RISE's black one: black is ")
            .Append("Fashion-MNIST's background, so deleting background pixels would change nothing.</p>")
            .Append("<img alt=\"deletion curves\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(DeletionChart.Render(report.Deletion))).Append("\">")
            .Append("<table><tr><th>Map</th><th>Area under the deletion curve</th></tr>");
        foreach (var d in report.Deletion)
        {
            html.Append(Row(d.Method, Invariant($"{d.Area:F4}")));
        }

        html.Append("</table><h2>Explanations</h2><p>Columns: input, saliency of f, robust attribution of f', the explainer's map ")
            .Append("(absolute values, 2% outliers clipped, viridis). Rows: true class / class predicted by f.</p>")
            .Append("<img alt=\"explanation grid\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(report.Grid)).Append("\">")
            .Append("<h2>Training log</h2><pre>").Append(WebUtility.HtmlEncode(string.Join('\n', report.Log))).Append("</pre>")
            .Append("<footer>Charts are drawn with SkiaSharp directly: ScottPlot 5 needs SkiaSharp 3, with which ML.NET ImageAnalytics ")
            .Append("5.0.1's ExtractPixels fails.</footer></body></html>");
        return html.ToString();
    }

    private static string Row(params string[] cells) =>
        "<tr>" + string.Concat(cells.Select(c => "<td>" + WebUtility.HtmlEncode(c) + "</td>")) + "</tr>";

    private static string Percent(double v) => Invariant($"{v * 100:F1}%");

    private static string Invariant(params FormattableString[] parts) => string.Concat(parts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
}
