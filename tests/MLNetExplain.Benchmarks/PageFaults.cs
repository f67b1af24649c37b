using System.Globalization;

namespace MLNetExplain.Benchmarks;

/// <summary>The process's minor page faults so far (Linux /proc/self/stat, field 10), as Python's ru_minflt.</summary>
internal static class PageFaults
{
    public static long Minor()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            // Fields after the parenthesised command name (which may contain spaces): state is field 3, minflt field 10.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
