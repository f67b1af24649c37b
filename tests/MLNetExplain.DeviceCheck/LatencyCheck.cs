using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetExplain.Attribution.Methods;
using MLNetExplain.Benchmarks.Shared;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.DeviceCheck;

/// <summary>
/// Check g: per-call latency on the device of a plain forward, the explainer's one pass, Saliency and SmoothGrad on
/// ResNet-18, then a ResNet-18 train step and inference side by side with Python PyTorch (peer_torch.py) on the same
/// device. Work on a GPU is queued asynchronously, so every timed call ends by reading one value of its result back
/// to the host, which waits for everything queued before it.
/// </summary>
internal static class LatencyCheck
{
    private const double BudgetSeconds = 0.5;
    private const int MaxCalls = 20;
    private const int MinCalls = 3;

    private static double Sync(Tensor t) => t.Flatten().Select(0, 0).ToDouble();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Median milliseconds per call after <paramref name="warmup"/> calls, over ~BudgetSeconds of calls.</summary>
    private static (double Ms, int Calls) Time(Func<Tensor> call, int warmup)
    {
        for (var k = 0; k < warmup; k++)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            Sync(call());
        }

        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (samples.Count < MinCalls || (total.Elapsed.TotalSeconds < BudgetSeconds && samples.Count < MaxCalls))
        {
            var sw = Stopwatch.StartNew();
            using (Torch.Torch.NewDisposeScope())
            {
                Sync(call());
            }

            samples.Add(sw.Elapsed.TotalMilliseconds);
        }

        return (Median(samples), samples.Count);
    }

    public static void Run(CheckLog log, Settings settings)
    {
        log.Section($"g. latency on {log.Device}: ResNet-18 (CIFAR stem, normalisation inside), eval mode, untrained weights");
        var rows = new List<string[]>();
        var errors = new List<string>();
        int[] sizes = settings.Quick ? [32] : [32, 224];
        int[] batches = settings.Quick ? [1, 4] : [1, 64];
        var samples = settings.Quick ? 10 : 50;
        foreach (var size in sizes)
        {
            try
            {
                MeasureModel(log.Device, size, batches, samples, rows, errors);
            }
            catch (Exception e)
            {
                errors.Add($"{size}x{size}: {e.GetType().Name}: {e.Message}");
            }
        }

        PrintTable(["input", "batch", "method", "ms/call", "ms/image", "vs saliency", "calls"], rows, leftColumns: 3);
        Console.WriteLine("      medians after warm-up; each call ends with a one-value read-back (a device sync). SmoothGrad draws its " +
                          "noise on the CPU (seeded Generator) and copies it, which is part of its cost.");
        log.Check("g. latency cases ran", errors.Count == 0, errors.Count == 0 ? $"{rows.Count} cases" : string.Join("; ", errors));

        log.Run("g. side by side with Python PyTorch", () => SideBySide(log, settings));
    }

    private static void MeasureModel(Device device, int size, int[] batches, int smoothSamples, List<string[]> rows, List<string> errors)
    {
        using var generator = new Generator(1);
        var spec = ClassifierSpec.ResNet18(10, 3).WithNormalization([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);
        var classifier = spec.Build(generator); // owned by `explained`
        long[] features;
        using (Torch.Torch.NoGrad())
        using (Torch.Torch.NewDisposeScope())
        {
            classifier.Eval();
            features = classifier.Features(Tensor.Zeros([1, 3, size, size])).Shape;
        }

        var head = new ExplainerHead(features[1], (int)features[2], (int)features[3], size, size, generator: generator);
        using var explained = new ExplainedClassifier(classifier, head);
        explained.To(device);
        explained.Eval();
        var saliency = new Saliency(classifier.Forward);
        var smooth = new SmoothGrad(classifier.Forward, new SmoothGradOptions { Samples = smoothSamples });
        using var noise = new Generator(2);

        foreach (var batch in batches)
        {
            using var x = Tensor.Rand([batch, 3, size, size], generator, device: device);
            // At 224x224 a batch of 64 through the gradient methods would hold tens of GB of activations: not cheap.
            var heavy = size > 64 && batch > 8;
            (string Name, Func<Tensor>? Call, int Warmup)[] methods =
            [
                ("forward (logits)", () => { using var ng = Torch.Torch.NoGrad(); return explained.Forward(x); }, 3),
                ("explainer one pass", () => { using var ng = Torch.Torch.NoGrad(); return explained.ForwardBoth(x).Map; }, 3),
                ("Saliency", heavy ? null : () => saliency.Attribute(x), 3),
                ($"SmoothGrad-{smoothSamples}", heavy ? null : () => smooth.Attribute(x, null, noise), 1),
            ];
            double? saliencyMs = null;
            var measured = new List<(string Name, double Ms, int Calls)>();
            foreach (var (name, call, warmup) in methods)
            {
                if (call is null)
                {
                    measured.Add((name, double.NaN, 0));
                    continue;
                }

                try
                {
                    var (ms, calls) = Time(call, warmup);
                    measured.Add((name, ms, calls));
                    if (name == "Saliency")
                    {
                        saliencyMs = ms;
                    }
                }
                catch (Exception e)
                {
                    errors.Add($"{size}x{size} batch {batch} {name}: {e.Message}");
                    measured.Add((name, double.NaN, -1));
                }
            }

            foreach (var (name, ms, calls) in measured)
            {
                var status = calls == 0 ? "skipped (memory)" : calls < 0 ? "failed" : null;
                rows.Add([$"3x{size}x{size}", batch.ToString(CultureInfo.InvariantCulture), name,
                    status ?? F(ms, "F2"), status is null ? F(ms / batch, "F3") : "-",
                    status is null && saliencyMs is { } s ? F(ms / s, "F2") + "x" : "-", calls.ToString(CultureInfo.InvariantCulture)]);
            }
        }
    }

    // ------------------------------------------------------------ C# vs Python PyTorch on the same device

    private static (long Parameters, double TrainMs, double InferMs) Medians(ModelTimings t) =>
        (t.Parameters, Median([.. t.TrainMs]), Median([.. t.InferMs]));

    private static void SideBySide(CheckLog log, Settings settings)
    {
        var batch = settings.Quick ? 8 : 64;
        var warmup = settings.Quick ? 1 : 3;
        var iterations = settings.Quick ? 2 : 10;
        Console.WriteLine();
        Console.WriteLine($"      ResNet train step (SGD momentum) and inference, batch {batch}, 3x32x32, on {log.Device}: C# vs Python " +
                          $"(warm-up {warmup}, iterations {iterations}; the compact ResNet 2x / 4x as in the benchmark runner)");
        // Same models and iteration scaling as tests/MLNetExplain.Benchmarks (peer_torch.py's MODELS).
        var ours = new Dictionary<string, (long Parameters, double TrainMs, double InferMs)>
        {
            ["resnet18"] = Medians(ModelStepTiming.Measure(g => ResNet.ResNet18(10, 3, g), log.Device, batch, warmup, iterations)),
            ["compact"] = Medians(ModelStepTiming.Measure(g => ResNet.Compact(10, 3, 1, g), log.Device, batch, 2 * warmup, 4 * iterations)),
        };

        JsonElement? peer = null;
        if (settings.NoPython)
        {
            log.Info("--no-python: C# numbers only");
        }
        else
        {
            var (json, error) = RunPeer(settings.Python, log.Device, batch, warmup, iterations);
            if (log.Check("g. Python peer ran on the same device", error is null, error ?? PeerDescription(json!.Value)))
            {
                peer = json;
            }
        }

        var rows = new List<string[]>();
        foreach (var (key, label) in new[] { ("resnet18", "CIFAR ResNet-18"), ("compact", "compact ResNet 16/32/64") })
        {
            var o = ours[key];
            double? pyTrain = null, pyInfer = null;
            long? pyParams = null;
            if (peer is { } p && p.GetProperty("resnet").TryGetProperty(key, out var m))
            {
                pyTrain = Median(m.GetProperty("train_ms").EnumerateArray().Select(e => e.GetDouble()).ToList());
                pyInfer = Median(m.GetProperty("infer_ms").EnumerateArray().Select(e => e.GetDouble()).ToList());
                pyParams = m.GetProperty("parameters").GetInt64();
            }

            if (pyParams is { } pp && pp != o.Parameters)
            {
                log.Check($"g. {label} parameter counts match", false, $"C# {o.Parameters:N0}, Python {pp:N0}");
            }

            rows.Add([$"{label} ({o.Parameters:N0} params) train step", F(o.TrainMs, "F2"), F(pyTrain, "F2"), Ratio(o.TrainMs, pyTrain)]);
            rows.Add([$"{label} inference (eval, no-grad)", F(o.InferMs, "F2"), F(pyInfer, "F2"), Ratio(o.InferMs, pyInfer)]);
        }

        PrintTable(["benchmark (median ms)", "C# (MLNetExplain)", "Python (PyTorch)", "ours/python"], rows);
    }

    private static string PeerDescription(JsonElement json)
    {
        var name = json.TryGetProperty("device_name", out var n) ? $" ({n.GetString()})" : "";
        return $"torch {json.GetProperty("torch_version").GetString()}, device {json.GetProperty("device").GetString()}{name}";
    }

    /// <summary>Runs peer_torch.py (copied next to this program) for the resnet section on the device; its JSON or an error.</summary>
    private static (JsonElement? Json, string? Error) RunPeer(string python, Device device, int batch, int warmup, int iterations)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peer_torch.py");
        if (!File.Exists(script))
        {
            return (null, $"{script} is missing");
        }

        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     script, "--json", "--only", "resnet", "--device", device.Type == DeviceType.Cuda ? $"cuda:{Math.Max(device.Index, 0)}" : "cpu",
                     "--threads", Torch.Torch.NumThreads.ToString(CultureInfo.InvariantCulture),
                     "--batch", batch.ToString(CultureInfo.InvariantCulture),
                     "--warmup", warmup.ToString(CultureInfo.InvariantCulture),
                     "--iterations", iterations.ToString(CultureInfo.InvariantCulture),
                 })
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
            if (line is null)
            {
                return (null, $"{python} exited with code {process.ExitCode} without JSON: {Tail(stderr.Result)}");
            }

            var json = JsonDocument.Parse(line).RootElement.Clone();
            return json.TryGetProperty("error", out var error) ? (null, error.GetString()) : (json, null);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or JsonException)
        {
            return (null, $"{python}: {e.Message}");
        }
    }

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= 1500 ? text : "..." + text[^1500..];
    }

    private static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Ratio(double ours, double? theirs) =>
        theirs is { } t && t > 0 ? (ours / t).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";

    private static void PrintTable(string[] header, List<string[]> rows, int leftColumns = 1)
    {
        var widths = header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] cells) => "      " + string.Join("  ", cells.Select((s, c) => c < leftColumns ? s.PadRight(widths[c]) : s.PadLeft(widths[c])));
        Console.WriteLine(Line(header));
        Console.WriteLine("      " + new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        foreach (var r in rows)
        {
            Console.WriteLine(Line(r));
        }
    }
}
