using System.Globalization;
using System.Net;
using System.Text;
using MLNetExplain.Evaluation;
using MLNetExplain.ML.Imaging;
using Spectre.Console;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// Writes report.html (self-contained: charts embedded as PNG) and report.md (the same tables in markdown, for
/// docs/results.md), both atomically.
/// </summary>
internal static class ReproduceReportWriter
{
    /// <summary>Writes both files into <paramref name="folder"/>.</summary>
    public static void Write(string folder, ReproduceReport report)
    {
        PngFile.WriteAtomically(Path.Combine(folder, "report.md"), Encoding.UTF8.GetBytes(Markdown(report)));
        PngFile.WriteAtomically(Path.Combine(folder, "report.html"), Encoding.UTF8.GetBytes(Html(report)));
    }

    // Without the explainer among the methods there is nothing to relate to (NaN).
    private static string Relative(double ratio) => double.IsFinite(ratio) ? Invariant($"{ratio:F1}x") : "n/a (no explainer row)";

    private static string FillWords(ReproduceOptions o) =>
        o.RoarFill == ReproduceFill.Zero ? "removed pixels set to 0 (the background)" : "removed pixels set to the training mean";

    /// <summary>Table 1 (ROAR) for the console.</summary>
    public static Table RoarTable(ReproduceReport report)
    {
        var table = new Table().AddColumn("Method");
        foreach (var ratio in report.Options.Ratios)
        {
            table.AddColumn(Invariant($"ROAR {ratio}%"));
        }

        foreach (var (method, cells) in RoarRows(report))
        {
            table.AddRow([Markup.Escape(method), .. cells]);
        }

        return table;
    }

    /// <summary>The markdown tables.</summary>
    public static string Markdown(ReproduceReport report)
    {
        var o = report.Options;
        var md = new StringBuilder();
        md.AppendLine("# Seed 001 on Fashion-MNIST: reproduce report").AppendLine()
          .AppendLine(Invariant($"{o.TrainRows} training / {o.TestRows} test images, {report.Threads} threads, {report.Elapsed.TotalMinutes:F1} minutes, seed {o.Seed}.")).AppendLine();
        md.AppendLine("## Accuracy").AppendLine().AppendLine("| Model | Test accuracy |").AppendLine("|---|---|");
        foreach (var a in report.Accuracy)
        {
            md.AppendLine(Invariant($"| {a.Model} | {a.Accuracy * 100:F2}% |"));
        }

        md.AppendLine().AppendLine(Invariant($"## Table 1: ROAR test accuracy after retraining ({FillWords(o)}; {o.RoarEpochs} epochs, {o.RoarSeeds} seed(s); mean ± sd; lower is more faithful)"))
          .AppendLine().AppendLine(Header(["Method", .. o.Ratios.Select(r => Invariant($"{r}%"))]));
        if (report.Roar?.Unmodified is { } clean)
        {
            md.AppendLine(Invariant($"| (unmodified: {clean.Mean * 100:F2}% ± {clean.StandardDeviation * 100:F2}) |") + string.Concat(o.Ratios.Select(_ => " |")));
        }

        foreach (var (method, cells) in RoarRows(report))
        {
            md.AppendLine($"| {method} | {string.Join(" | ", cells)} |");
        }

        md.AppendLine().AppendLine("## Table 2: explainer aligned to robust vs standard targets (ROAR)").AppendLine()
          .AppendLine(Header(["Alignment targets", .. o.Ratios.Select(r => Invariant($"{r}%"))]));
        foreach (var (method, cells) in RoarRows(report).Where(r => r.Method.StartsWith("Explainer", StringComparison.Ordinal)))
        {
            md.AppendLine($"| {(method == "Explainer" ? "robust SmoothGrad (seed 001)" : "standard SmoothGrad")} | {string.Join(" | ", cells)} |");
        }

        md.AppendLine().AppendLine("## Table 3: latency per image on f (batch 1)").AppendLine().AppendLine("| Method | ms per image | Relative to the explainer |").AppendLine("|---|---|---|");
        foreach (var l in report.Latency)
        {
            md.AppendLine(Invariant($"| {l.Method} | {l.Milliseconds:F3} | {Relative(l.RelativeToExplainer)} |"));
        }

        md.AppendLine().AppendLine(Invariant($"## Deletion (mean substrate, lower is better) and insertion (blur substrate, higher is better), {Math.Min(o.CurveRows, o.TestRows)} test images"))
          .AppendLine().AppendLine("| Method | Deletion AUC | Insertion AUC |").AppendLine("|---|---|---|");
        foreach (var c in report.Curves)
        {
            md.AppendLine(Invariant($"| {c.Method} | {c.DeletionArea:F3} | {c.InsertionArea:F3} |"));
        }

        if (report.Sanity is { } sanity)
        {
            md.AppendLine().AppendLine("## MPRT sanity check: Spearman rank correlation with the original map as layers are randomised (top-down)").AppendLine()
              .AppendLine(Header(["Method", .. sanity.Layers]));
            foreach (var row in sanity.Rows)
            {
                md.AppendLine($"| {row.Method} | {string.Join(" | ", row.Spearman.Select(v => double.IsFinite(v) ? Invariant($"{v:F2}") : "n/a"))} |");
            }
        }

        return md.ToString();
    }

    /// <summary>The HTML report.</summary>
    public static string Html(ReproduceReport report)
    {
        var o = report.Options;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>MLNetExplain reproduce report</title><style>")
            .Append("body{font-family:sans-serif;max-width:64em;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3em .8em;text-align:left}th{background:#f3f3f3}img{max-width:100%}")
            .Append("footer{margin-top:3em;font-size:.85em;color:#666}</style></head><body>")
            .Append("<h1>Seed 001's experiments on Fashion-MNIST</h1>")
            .Append(Invariant($"<p>{o.TrainRows} training and {o.TestRows} test images, small CNN, {report.Threads} CPU threads, {report.Elapsed.TotalMinutes:F1} minutes, seed {o.Seed}. "))
            .Append("Every post-hoc method explains f (the classifier trained with the robust-aligned explainer) for its predicted class.</p>");
        html.Append("<h2>Settings</h2><table><tr><th>Setting</th><th>Value</th></tr>")
            .Append(Row("Robust f'", Invariant($"PGD-L2 eps {o.Epsilon}, {o.AttackSteps} steps, {o.RobustEpochs} epochs")))
            .Append(Row("f + explainer", Invariant($"lambda {o.Lambda}, {o.Epochs} epochs, targets: {o.Samples}-sample SmoothGrad of f' (true class, channel sum, max 1)")))
            .Append(Row("ROAR", Invariant($"per-pixel ranking by |map|, {FillWords(o)}; retrain the small CNN from scratch for {o.RoarEpochs} epochs; {o.RoarSeeds} seed(s)")))
            .Append("</table>");
        html.Append("<h2>Accuracy</h2><table><tr><th>Model</th><th>Test accuracy</th></tr>");
        foreach (var a in report.Accuracy)
        {
            html.Append(Row(a.Model, Invariant($"{a.Accuracy * 100:F2}%")));
        }

        html.Append("</table><h2>Table 1: ROAR</h2><p>Test accuracy of a model retrained from scratch after the most important pixels of every ")
            .Append("training and test image (by each method) are replaced by the dataset mean. Lower means the removed pixels carried the class: the more faithful ranking.</p>")
            .Append(Image("ROAR accuracy", RoarChart(report)))
            .Append("<table><tr><th>Method</th>").Append(string.Concat(o.Ratios.Select(r => Invariant($"<th>{r}%</th>")))).Append("</tr>");
        foreach (var (method, cells) in RoarRows(report))
        {
            html.Append(Row([method, .. cells]));
        }

        html.Append("</table><h2>Table 2: alignment targets</h2><p>The explainer aligned to the robust model's SmoothGrad (seed 001) against one aligned to a standard model's SmoothGrad, under ROAR.</p><table><tr><th>Targets</th>")
            .Append(string.Concat(o.Ratios.Select(r => Invariant($"<th>{r}%</th>")))).Append("</tr>");
        foreach (var (method, cells) in RoarRows(report).Where(r => r.Method.StartsWith("Explainer", StringComparison.Ordinal)))
        {
            html.Append(Row([method == "Explainer" ? "robust SmoothGrad (seed 001)" : "standard SmoothGrad", .. cells]));
        }

        html.Append("</table><h2>Table 3: latency per image (batch 1, on f)</h2><table><tr><th>Method</th><th>ms</th><th>Relative to the explainer</th></tr>");
        foreach (var l in report.Latency)
        {
            html.Append(Row(l.Method, Invariant($"{l.Milliseconds:F3}"), Relative(l.RelativeToExplainer)));
        }

        html.Append("</table><h2>Deletion and insertion curves</h2><p>RISE's curves on f, pixels ranked by |map|: deletion on each image's mean (black is ")
            .Append("Fashion-MNIST's background), insertion from a blurred image.</p>")
            .Append(Image("deletion curves", CurveChart(report.Curves, deletion: true)))
            .Append(Image("insertion curves", CurveChart(report.Curves, deletion: false)))
            .Append("<table><tr><th>Method</th><th>Deletion AUC (lower is better)</th><th>Insertion AUC (higher is better)</th></tr>");
        foreach (var c in report.Curves)
        {
            html.Append(Row(c.Method, Invariant($"{c.DeletionArea:F3}"), Invariant($"{c.InsertionArea:F3}")));
        }

        html.Append("</table>");
        if (report.Sanity is { } sanity)
        {
            html.Append("<h2>Sanity check: MPRT (cascading randomisation, top-down)</h2><p>Spearman rank correlation of each method's map with its map on the trained ")
                .Append("model as layers are re-initialised from the output down; a method that depends on the model falls towards 0. The grid shows the maps of one test image.</p>")
                .Append(Image("MPRT correlations", SanityChart(sanity)))
                .Append(Image("MPRT maps", sanity.Grid))
                .Append("<table><tr><th>Method</th>").Append(string.Concat(sanity.Layers.Select(l => $"<th>{WebUtility.HtmlEncode(l)}</th>"))).Append("</tr>");
            foreach (var row in sanity.Rows)
            {
                html.Append(Row([row.Method, .. row.Spearman.Select(v => double.IsFinite(v) ? Invariant($"{v:F2}") : "n/a")]));
            }

            html.Append("</table>");
        }

        html.Append("<h2>Log</h2><pre>").Append(WebUtility.HtmlEncode(string.Join('\n', report.Log))).Append("</pre>")
            .Append("<footer>Charts are drawn with SkiaSharp directly: ScottPlot 5 needs SkiaSharp 3, with which ML.NET ImageAnalytics 5.0.1's ExtractPixels fails.</footer></body></html>");
        return html.ToString();
    }

    private static IEnumerable<(string Method, string[] Cells)> RoarRows(ReproduceReport report)
    {
        if (report.Roar is not { } roar)
        {
            yield break;
        }

        foreach (var method in roar.Points.Select(p => p.Method).Distinct())
        {
            yield return (method, [.. report.Options.Ratios.Select(r =>
            {
                var p = roar.Points.FirstOrDefault(q => q.Method == method && q.Mode == RoarMode.Roar && Math.Abs(q.Ratio - r / 100.0) < 1e-9);
                return p is null ? "" : Invariant($"{p.Mean * 100:F2}% ± {p.StandardDeviation * 100:F2}");
            })]);
        }
    }

    private static byte[] RoarChart(ReproduceReport report)
    {
        var chart = new LineChart { Title = "ROAR: accuracy after retraining", XLabel = "fraction of pixels replaced", YLabel = "test accuracy", YRange = (0, 1) };
        if (report.Roar is { } roar)
        {
            foreach (var method in roar.Points.Select(p => p.Method).Distinct())
            {
                var points = roar.Points.Where(p => p.Method == method && p.Mode == RoarMode.Roar).OrderBy(p => p.Ratio).ToList();
                var x = new List<double>();
                var y = new List<double>();
                if (roar.Unmodified is { } clean)
                {
                    x.Add(0);
                    y.Add(clean.Mean);
                }

                x.AddRange(points.Select(p => p.Ratio));
                y.AddRange(points.Select(p => p.Mean));
                chart.AddSeries(method, x, y);
            }
        }

        return chart.RenderPng(760, 460);
    }

    private static byte[] CurveChart(IReadOnlyList<CurvePair> curves, bool deletion)
    {
        var chart = new LineChart
        {
            Title = deletion ? "Deletion (mean substrate)" : "Insertion (blur substrate)",
            XLabel = deletion ? "fraction of pixels removed, most important first" : "fraction of pixels revealed, most important first",
            YLabel = "probability of the clean prediction",
            YRange = (0, 1),
        };
        foreach (var c in curves)
        {
            var curve = deletion ? c.Deletion : c.Insertion;
            var area = deletion ? c.DeletionArea : c.InsertionArea;
            chart.AddSeries(Invariant($"{c.Method} ({area:F3})"), [.. Enumerable.Range(0, curve.Length).Select(k => (double)k / (curve.Length - 1))], curve);
        }

        return chart.RenderPng(760, 460);
    }

    private static byte[] SanityChart(SanityResult sanity)
    {
        var chart = new LineChart { Title = "MPRT: rank correlation with the original map", XLabel = "layers randomised (top-down)", YLabel = "Spearman", YRange = (-0.2, 1) };
        foreach (var row in sanity.Rows)
        {
            // A map that randomisation makes constant has no rank correlation (NaN); those layers are left out of its line.
            var finite = Enumerable.Range(0, row.Spearman.Count).Where(k => double.IsFinite(row.Spearman[k])).ToList();
            chart.AddSeries(row.Method, [.. finite.Select(k => k + 1.0)], [.. finite.Select(k => row.Spearman[k])]);
        }

        return chart.RenderPng(760, 460);
    }

    private static string Header(IReadOnlyList<string> cells) =>
        $"| {string.Join(" | ", cells)} |\n|{string.Concat(cells.Select(_ => "---|"))}";

    private static string Image(string alt, byte[] png) =>
        $"<img alt=\"{alt}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">";

    private static string Row(params string[] cells) =>
        "<tr>" + string.Concat(cells.Select(c => "<td>" + WebUtility.HtmlEncode(c) + "</td>")) + "</tr>";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
