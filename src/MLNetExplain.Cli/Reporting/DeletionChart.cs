using MLNetExplain.Cli.Demo;
using MLNetExplain.ML.Imaging;

namespace MLNetExplain.Cli.Reporting;

/// <summary>The deletion curves of the demo's maps as a PNG line chart.</summary>
internal static class DeletionChart
{
    /// <summary>Renders the curves (probability of f's clean prediction against the fraction of pixels removed).</summary>
    public static byte[] Render(IReadOnlyList<CurveRow> curves)
    {
        var chart = new LineChart
        {
            Title = "Deletion curves of f (mean substrate)",
            XLabel = "fraction of pixels removed, most important first",
            YLabel = "probability of the clean prediction",
            YRange = (0, 1),
        };
        foreach (var curve in curves)
        {
            var fractions = Enumerable.Range(0, curve.Curve.Length).Select(k => (double)k / (curve.Curve.Length - 1)).ToArray();
            chart.AddSeries($"{curve.Method} (AUC {curve.Area:F3})", fractions, curve.Curve);
        }

        return chart.RenderPng(720, 420);
    }
}
