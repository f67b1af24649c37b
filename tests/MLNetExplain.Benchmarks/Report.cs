using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MLNetExplain.Benchmarks;

/// <summary>Shared helpers of the benchmark sections: medians, the load average, number formats and Markdown tables.</summary>
internal static class Report
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        var n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // The 1, 5 and 15 minute load averages (Linux), or "n/a".
    public static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(" ", fields.Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    public static string Num(double? v, string format, string unit = "") =>
        v is { } x && !double.IsNaN(x) ? x.ToString(format, CultureInfo.InvariantCulture) + unit : "-";

    /// <summary>a / b as "0.99x", or "-" when b is missing.</summary>
    public static string Ratio(double a, double? b) =>
        b is { } v && v > 0 && !double.IsNaN(a) ? (a / v).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";

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
