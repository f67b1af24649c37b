using System.Globalization;
using System.Net;
using System.Text;
using MLNetExplain.Cli.Demo;

namespace MLNetExplain.Cli.Reporting;

/// <summary>A self-contained HTML report of the demo: settings, accuracy, latency, deletion curves (inline SVG) and the grid.</summary>
internal static class HtmlReport
{
    private static readonly string[] Colours = ["#1b9e77", "#d95f02", "#7570b3", "#999999"];

    public static void Write(string path, DemoReport report)
    {
        var o = report.Options;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MLNetExplain demo report</title><style>")
            .Append("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3em .8em;text-align:left}th{background:#f3f3f3}img{max-width:100%}</style></head><body>")
            .Append("<h1>Robust attribution alignment on Fashion-MNIST</h1>")
            .Append(Invariant($"<p>Seed 001's method end to end: a robust counterpart f' trained with PGD-L2 (eps {o.Epsilon}, {o.AttackSteps} steps, {o.RobustEpochs} epochs), ",
                $"its SmoothGrad-{o.Samples} saliency as robust attributions, and a {o.Model} classifier f trained with an explainer head aligned to them ",
                $"(lambda {o.Lambda}, {o.Epochs} epochs) on {o.TrainRows} training images; evaluated on {o.TestRows} test images. ",
                $"{report.Threads} CPU threads, {report.Elapsed.TotalMinutes:F1} minutes.</p>"));

        html.Append("<h2>Accuracy</h2><table><tr><th>Model</th><th>Accuracy</th></tr>")
            .Append(Row("f (classifier with explainer), clean", Percent(report.ClassifierAccuracy)))
            .Append(Row("f' (robust counterpart), clean", Percent(report.RobustCleanAccuracy)))
            .Append(Row(Invariant($"f' under PGD-20 L2, eps {o.Epsilon} (500 images)"), Percent(report.RobustAdversarialAccuracy)))
            .Append("</table>");

        html.Append("<h2>Latency per image</h2><p>Measured side by side in this run on the same classifier f; median of repeated runs.</p>")
            .Append("<table><tr><th>Method</th><th>Batch</th><th>ms per image</th><th>Relative to saliency</th></tr>");
        foreach (var l in report.Latency)
        {
            var saliency = report.Latency.FirstOrDefault(s => s.Method == "Saliency" && s.BatchSize == l.BatchSize);
            var ratio = saliency is null ? "" : Invariant($"{l.Result.MedianMilliseconds / saliency.Result.MedianMilliseconds:F2}x");
            html.Append(Row(l.Method, l.BatchSize.ToString(CultureInfo.InvariantCulture), Invariant($"{l.Result.MedianMilliseconds / l.BatchSize:F3}"), ratio));
        }

        html.Append("</table>");

        html.Append("<h2>Deletion curves</h2><p>Probability of f's predicted class as the most important pixels (by each map) are replaced ")
            .Append("by the mean intensity, in 5% steps (RISE's deletion metric with ROAR's mean replacement; lower area means a more faithful map).</p>")
            .Append(Chart(report.Deletion))
            .Append("<table><tr><th>Map</th><th>Area under the deletion curve</th></tr>");
        foreach (var d in report.Deletion)
        {
            html.Append(Row(d.Method, Invariant($"{d.Area:F4}")));
        }

        html.Append("</table><h2>Explanations</h2><p>Columns: input, saliency of f, robust attribution of f', the explainer's map ")
            .Append("(absolute values, 2% outliers clipped). Rows are labelled with the true class.</p><img src=\"explanations.png\" alt=\"explanation grid\">")
            .Append("<h2>Training log</h2><pre>").Append(WebUtility.HtmlEncode(string.Join('\n', report.Log))).Append("</pre></body></html>");

        var temp = path + ".tmp";
        File.WriteAllText(temp, html.ToString());
        File.Move(temp, path, overwrite: true);
    }

    private static string Chart(IReadOnlyList<CurveRow> curves)
    {
        const int width = 520, height = 300, left = 50, bottom = 40, top = 10, right = 150;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var svg = new StringBuilder(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-size=\"12\">"));
        svg.Append(Invariant($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#888\"/>"));
        for (var t = 0; t <= 4; t++)
        {
            var v = t / 4.0;
            svg.Append(Invariant($"<text x=\"{left - 30}\" y=\"{top + plotH - v * plotH + 4:F0}\">{v:F2}</text>"));
            svg.Append(Invariant($"<text x=\"{left + v * plotW - 10:F0}\" y=\"{height - bottom + 16}\">{v * 100:F0}%</text>"));
        }

        svg.Append(Invariant($"<text x=\"{left + plotW / 2 - 60}\" y=\"{height - 5}\">fraction of pixels removed</text>"));
        for (var c = 0; c < curves.Count; c++)
        {
            var points = string.Join(' ', curves[c].Curve.Select((v, k) =>
                Invariant($"{left + (double)k / (curves[c].Curve.Length - 1) * plotW:F1},{top + plotH - v * plotH:F1}")));
            var colour = Colours[c % Colours.Length];
            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>"));
            svg.Append(Invariant($"<text x=\"{left + plotW + 10}\" y=\"{top + 20 + 18 * c}\" fill=\"{colour}\">{WebUtility.HtmlEncode(curves[c].Method)}</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Row(params string[] cells) =>
        "<tr>" + string.Concat(cells.Select(c => "<td>" + WebUtility.HtmlEncode(c) + "</td>")) + "</tr>";

    private static string Percent(double v) => Invariant($"{v * 100:F1}%");

    private static string Invariant(params FormattableString[] parts) => string.Concat(parts.Select(p => p.ToString(CultureInfo.InvariantCulture)));
}
