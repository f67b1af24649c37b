using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace MLNetExplain.Benchmarks;

/// <summary>What one call of peer_torch.py reported: its versions and samples, or why it gave none.</summary>
internal sealed record PeerRun(string? TorchVersion, string? PythonVersion, int Threads, Samples Samples, string? Error);

/// <summary>
/// The Python PyTorch side: runs <c>peer_torch.py --json</c> (copied next to the runner) in a fresh process with
/// the runner's settings, one section per call, and reads its samples, keyed as ours are.
/// </summary>
internal static class PythonPeer
{
    public static PeerRun Run(Settings settings, string section, IEnumerable<string> extraArguments)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peer_torch.py");
        if (!File.Exists(script))
        {
            return Failed($"{script} is missing (the build copies it next to the runner).");
        }

        var psi = new ProcessStartInfo(settings.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        foreach (var a in new[]
                 {
                     script, "--json", "--only", section,
                     "--threads", I(settings.Threads),
                     "--iterations", I(settings.Iterations),
                     "--warmup", I(settings.Warmup),
                     "--interop-ops", I(settings.InteropOps),
                     "--batch", I(settings.Batch),
                 }.Concat(extraArguments))
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return Failed($"cannot start {settings.Python}: {e.Message}");
        }

        using (process)
        {
            var stderrTask = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var stderr = stderrTask.Result;
            var json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .LastOrDefault(l => l.StartsWith('{'));
            if (json is null)
            {
                return Failed($"{settings.Python} exited with code {process.ExitCode} without JSON output. {Tail(stderr)}");
            }

            try
            {
                return Parse(json);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return Failed($"cannot parse the peer's output ({e.Message}): {Tail(json)}");
            }
        }
    }

    private static PeerRun Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            return Failed(error.GetString() ?? "the peer reported an error");
        }

        var samples = new Samples();
        foreach (var entry in root.GetProperty("samples").EnumerateObject())
        {
            samples.AddRange(entry.Name, entry.Value.EnumerateArray().Select(e => e.GetDouble()));
        }

        return new PeerRun(root.GetProperty("torch_version").GetString(), root.GetProperty("python_version").GetString(),
            root.GetProperty("threads").GetInt32(), samples, null);
    }

    private static PeerRun Failed(string message) => new(null, null, 0, new Samples(), message);

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= 600 ? text : "..." + text[^600..];
    }
}
