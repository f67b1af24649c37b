using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MLNetExplain.Benchmarks;

/// <summary>Medians, number formats, the load average and Markdown tables shared by the sections.</summary>
internal static class Report
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    public static string Num(double? v, string format, string unit = "") =>
        v is { } x && !double.IsNaN(x) ? x.ToString(format, CultureInfo.InvariantCulture) + unit : "-";

    /// <summary>a / b as "0.99x", or "-" when either is missing.</summary>
    public static string Ratio(double? a, double? b) =>
        a is { } x && b is { } y && y > 0 && !double.IsNaN(x) && !double.IsNaN(y)
            ? (x / y).ToString("F2", CultureInfo.InvariantCulture) + "x"
            : "-";

    /// <summary>Milliseconds of <paramref name="action"/>.</summary>
    public static double TimeMs(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>Prints a Markdown table: the first <paramref name="leftColumns"/> columns left-aligned, the rest right-aligned.</summary>
    public static void PrintTable(string[] header, IReadOnlyList<string[]> rows, int leftColumns = 1)
    {
        var widths = Enumerable.Range(0, header.Length)
            .Select(c => rows.Select(r => r[c].Length).Prepend(header[c].Length).Max()).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) =>
            sb.Append("| ")
                .AppendJoin(" | ", cells.Select((c, k) => k < leftColumns ? c.PadRight(widths[k]) : c.PadLeft(widths[k])))
                .AppendLine(" |");
        Line(header);
        sb.Append('|')
            .AppendJoin('|', widths.Select((w, k) => k < leftColumns ? new string('-', w + 2) : new string('-', w + 1) + ":"))
            .AppendLine("|");
        foreach (var r in rows)
        {
            Line(r);
        }

        Console.Write(sb.ToString());
    }
}
