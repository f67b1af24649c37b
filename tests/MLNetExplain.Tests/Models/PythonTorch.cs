using System.Diagnostics;

namespace MLNetExplain.Tests.Models;

/// <summary>
/// Runs a script with Debian's Python PyTorch (<c>/usr/bin/python3</c> with <c>python3-torch</c> 1.13; the first
/// python3 on PATH may have no torch). CI installs python3-torch: tests that use it fail, with the install hint,
/// where it is missing, rather than pass without checking anything.
/// </summary>
internal static class PythonTorch
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with the given arguments; fails the test on a non-zero exit.</summary>
    public static void Run(string script, params string[] arguments)
    {
        Assert.True(File.Exists(Interpreter), $"{Interpreter} is missing: install python3 and python3-torch (apt-get install python3-torch).");
        var scriptPath = Path.Combine(Path.GetTempPath(), $"mlnetexplain-{Guid.NewGuid():N}.py");
        File.WriteAllText(scriptPath, script);
        try
        {
            var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(scriptPath);
            foreach (var a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            // One thread keeps the peer from competing with the test process for the two CI cores.
            start.Environment["OMP_NUM_THREADS"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "the Python script did not finish within 120 s");
            Assert.False(stderr.Contains("No module named 'torch'", StringComparison.Ordinal),
                $"{Interpreter} has no torch: install python3-torch (apt-get install python3-torch).");
            Assert.True(process.ExitCode == 0, $"python exited with {process.ExitCode}: {stderr}\n{stdout.Result}");
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }
}
