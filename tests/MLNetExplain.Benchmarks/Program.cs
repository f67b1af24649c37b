// Side-by-side benchmark: MLNetExplain (C# over libtorch) against Python PyTorch on the same machine, in one run,
// plus MLNetExplain-only sections for the data pipeline and the explainer's latency.
//
//   dotnet run -c Release --project tests/MLNetExplain.Benchmarks -- [options]
//   (or tests/MLNetExplain.Benchmarks/run.sh [options], which also installs python3-torch when missing)
//
// Options:
//   --iterations N     measured iterations per model benchmark and round (default 5; the compact ResNet runs 4x,
//                      the adversarial step 2x)
//   --warmup N         warm-up iterations per model benchmark and round (default 3; the compact ResNet runs 2x)
//   --rounds N         rounds (default 3); each runs both sides (or, in data and explainer, every case), alternating
//                      the order; samples are pooled
//   --only WHAT[,WHAT] interop | resnet | data | explainer | adversarial (default: all, in that order)
//   --threads N        intra-op threads on both sides (default: all cores)
//   --interop-ops N    tiny ops per interop round (default 100000; 5 rounds, median reported)
//   --batch N          ResNet and adversarial-step batch size (default 64)
//   --python PATH      the Python with torch (default /usr/bin/python3)
//   --no-python        measure MLNetExplain only
//
// Sections (each prints its own table):
//   interop, resnet  C# vs Python: tiny-op overhead; ResNet-18 and compact ResNet train step and inference (Program.cs)
//   data             Fashion-MNIST cursor pass and TensorBatchCursor assembly vs a plain memory copy (DataBenchmarks.cs)
//   explainer        explainer one-pass (prediction + map) vs Saliency vs SmoothGrad-50 latency (ExplainerBenchmarks.cs)
//   adversarial      one PGD-7 L2 adversarial train step, C# vs Python (AdversarialBenchmarks.cs)
//
// Each round of a C#-vs-Python section runs the C# side and the Python peer (peer_torch.py --json, a fresh
// process with the same settings) one after the other, alternating the order; the two never run at the same
// time, so each gets every core.

using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using MLNetExplain.Benchmarks.Shared;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Benchmarks;

internal sealed record Settings(
    int Iterations,
    int Warmup,
    string[]? Only,
    int Threads,
    int InteropOps,
    int Batch,
    int Rounds,
    string Python,
    bool NoPython)
{
    public static readonly string[] Sections = ["interop", "resnet", "data", "explainer", "adversarial"];

    public bool RunInterop => Runs("interop");
    public bool RunResnet => Runs("resnet");
    public bool RunData => Runs("data");
    public bool RunExplainer => Runs("explainer");
    public bool RunAdversarial => Runs("adversarial");

    private bool Runs(string section) => Only is null || Only.Contains(section);

    public static Settings Parse(string[] args)
    {
        var s = new Settings(5, 3, null, Environment.ProcessorCount, 100_000, 64, 3, "/usr/bin/python3", false);
        for (var k = 0; k < args.Length; k++)
        {
            string Next() => k + 1 < args.Length ? args[++k] : throw new ArgumentException($"{args[k]} needs a value.");
            int NextInt(int min)
            {
                var name = args[k];
                var v = int.Parse(Next(), CultureInfo.InvariantCulture);
                return v >= min ? v : throw new ArgumentException($"{name} must be at least {min}.");
            }

            s = args[k] switch
            {
                "--iterations" => s with { Iterations = NextInt(1) },
                "--warmup" => s with { Warmup = NextInt(0) },
                "--only" => s with { Only = ParseSections(Next()) },
                "--threads" => s with { Threads = NextInt(1) },
                "--interop-ops" => s with { InteropOps = NextInt(1000) },
                "--batch" => s with { Batch = NextInt(1) },
                "--rounds" => s with { Rounds = NextInt(1) },
                "--python" => s with { Python = Next() },
                "--no-python" => s with { NoPython = true },
                "-h" or "--help" => throw new HelpRequested(),
                _ => throw new ArgumentException($"Unknown option {args[k]}."),
            };
        }

        return s;
    }

    private static string[] ParseSections(string value)
    {
        var sections = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = sections.Where(x => !Sections.Contains(x)).ToList();
        return sections.Length > 0 && unknown.Count == 0
            ? sections.Distinct().ToArray()
            : throw new ArgumentException($"--only takes one or more (comma-separated) of {string.Join(", ", Sections)}.");
    }
}

internal sealed class HelpRequested : Exception;

/// <summary>Per-op nanoseconds of the tiny-op loops.</summary>
internal sealed record InteropTimings(double EmptyLoopNs, double IsGradEnabledNs, double AddNs, double AddInScopeNs);

/// <summary>What the Python peer reported (null members where it did not run or failed).</summary>
internal sealed record PeerResult(
    string? TorchVersion,
    string? PythonVersion,
    int Threads,
    InteropTimings? Interop,
    Dictionary<string, ModelTimings> Models,
    AdversarialTimings? Adversarial,
    double PeakRssMiB,
    string? Error);

internal static class Program
{
    private const string Usage =
        "usage: MLNetExplain.Benchmarks [--iterations N] [--warmup N] [--rounds N] [--threads N] [--interop-ops N] [--batch N]\n" +
        "                               [--only interop|resnet|data|explainer|adversarial[,...]] [--python PATH] [--no-python]";

    // The two model configurations, mirrored in peer_torch.py.
    private static readonly (string Key, string Label, Func<Generator, ResNet> Create, int IterationScale, int WarmupScale)[] Models =
    [
        ("resnet18", "CIFAR ResNet-18", g => ResNet.ResNet18(10, 3, g), 1, 1),
        ("compact", "compact ResNet 16/32/64", g => ResNet.Compact(10, 3, 1, g), 4, 2),
    ];

    private static int Main(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (HelpRequested)
        {
            Console.WriteLine(Usage);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        Torch.Torch.NumThreads = settings.Threads;
        Console.WriteLine("MLNetExplain benchmark: C# (MLNetExplain.Torch over libtorch) vs Python PyTorch, same process settings");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, " +
                          $"{RuntimeInformation.ProcessArchitecture}");
        Console.WriteLine($"  .NET {Environment.Version}, intra-op threads {Torch.Torch.NumThreads}, " +
                          $"warm-up {settings.Warmup}, iterations {settings.Iterations} x {settings.Rounds} rounds, batch {settings.Batch}");
        Console.WriteLine($"  sections: {string.Join(", ", Settings.Sections.Where(x => settings.Only is null || settings.Only.Contains(x)))}");
#if DEBUG
        Console.WriteLine("  WARNING: Debug build; run with -c Release for meaningful numbers.");
#endif
        Console.WriteLine($"  load average at start: {LoadAverage()}");
        Console.WriteLine();

        var total = Stopwatch.StartNew();
        if (settings.RunInterop || settings.RunResnet)
        {
            RunTorchComparison(settings);
        }

        if (settings.RunData)
        {
            DataBenchmarks.Run(settings);
        }

        if (settings.RunExplainer)
        {
            ExplainerBenchmarks.Run(settings);
        }

        if (settings.RunAdversarial)
        {
            AdversarialBenchmarks.Run(settings);
        }

        Console.WriteLine($"total {total.Elapsed.TotalMinutes:F1} min; load average at end: {LoadAverage()}");
        return 0;
    }

    // The interop and resnet sections: C# and the Python peer in alternating rounds, one table.
    private static void RunTorchComparison(Settings settings)
    {
        Console.WriteLine("== interop / resnet: C# vs Python PyTorch ==");
        Console.WriteLine($"  load average at start: {LoadAverage()}");
        string[] peerSections = [.. new[] { "interop", "resnet" }.Where(x => settings.Only is null || settings.Only.Contains(x))];

        var ourInterop = new List<InteropTimings>();
        var ourModels = new Dictionary<string, ModelTimings>();
        var (peerRounds, peerError) = AlternateRounds(settings, "peer_torch.py",
            () => RunPeer(settings, string.Join(",", peerSections)),
            p => p.Error,
            p =>
            {
                var summary = string.Join(", ", p.Models.Select(kv =>
                    $"{kv.Key} train {Median(kv.Value.TrainMs):F1} ms, infer {Median(kv.Value.InferMs):F1} ms"));
                return $"{(p.Interop is { } i ? $"add {i.AddNs:F0} ns" : "")}{(p.Interop is not null && summary.Length > 0 ? "; " : "")}{summary}";
            },
            () =>
            {
                if (settings.RunInterop)
                {
                    Console.Write("  C#: interop loops ... ");
                    ourInterop.Add(MeasureInterop(settings.InteropOps, rounds: 5));
                    Console.WriteLine($"done (add {ourInterop[^1].AddNs:F0} ns)");
                }

                if (settings.RunResnet)
                {
                    foreach (var m in Models)
                    {
                        Console.Write($"  C#: {m.Label} train/infer ... ");
                        var t = ModelStepTiming.Measure(m.Create, Device.Cpu, settings.Batch, settings.Warmup * m.WarmupScale,
                            settings.Iterations * m.IterationScale);
                        ourModels[m.Key] = ourModels.TryGetValue(m.Key, out var before) ? Merge(before, t) : t;
                        Console.WriteLine($"done (train {Median(t.TrainMs):F1} ms, infer {Median(t.InferMs):F1} ms)");
                    }
                }
            });

        Console.WriteLine($"load average at end: {LoadAverage()} (other work on the machine skews both sides)");
        var ourPeakMiB = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        var ours = ourInterop.Count == 0 ? null : MedianOf(ourInterop);
        var peer = peerRounds.Count == 0 ? null : Pool(peerRounds);

        Console.WriteLine();
        PrintPeerNote(peerError, peer);
        PrintTable(settings, ours, ourModels, ourPeakMiB, peer);
        Console.WriteLine();
    }

    private static string LoadAverage() => Report.LoadAverage();

    /// <summary>Says which Python peer ran, or why none did.</summary>
    internal static void PrintPeerNote(string? peerError, PeerResult? peer)
    {
        if (peerError is not null)
        {
            Console.WriteLine($"NOTE: no Python PyTorch numbers: {peerError}");
            Console.WriteLine("      Install it with `sudo apt-get install -y python3-torch` (or run tests/MLNetExplain.Benchmarks/run.sh).");
            Console.WriteLine("      Showing MLNetExplain numbers only.");
            Console.WriteLine();
        }
        else if (peer is not null)
        {
            Console.WriteLine($"Python peer: torch {peer.TorchVersion}, Python {peer.PythonVersion}, intra-op threads {peer.Threads}");
            Console.WriteLine();
        }
    }

    private static ModelTimings Merge(ModelTimings a, ModelTimings b) =>
        new(a.Parameters, [.. a.TrainMs, .. b.TrainMs], [.. a.InferMs, .. b.InferMs]);

    // The median over rounds of each round's (median) per-op time.
    private static InteropTimings MedianOf(IReadOnlyList<InteropTimings> rounds) =>
        new(Median(rounds.Select(r => r.EmptyLoopNs).ToArray()), Median(rounds.Select(r => r.IsGradEnabledNs).ToArray()),
            Median(rounds.Select(r => r.AddNs).ToArray()), Median(rounds.Select(r => r.AddInScopeNs).ToArray()));

    private static PeerResult Pool(IReadOnlyList<PeerResult> rounds)
    {
        var models = new Dictionary<string, ModelTimings>();
        foreach (var r in rounds)
        {
            foreach (var (key, t) in r.Models)
            {
                models[key] = models.TryGetValue(key, out var before) ? Merge(before, t) : t;
            }
        }

        var interop = rounds.Where(r => r.Interop is not null).Select(r => r.Interop!).ToList();
        var first = rounds[0];
        return first with
        {
            Interop = interop.Count == 0 ? null : MedianOf(interop),
            Models = models,
            PeakRssMiB = rounds.Max(r => r.PeakRssMiB),
        };
    }

    // ---------------------------------------------------------------- interop

    private static InteropTimings MeasureInterop(int ops, int rounds)
    {
        using var a = Tensor.Ones([1]);
        using var b = Tensor.Ones([1]);

        // Warm-up: JIT tiers, the op handle lookup, the allocator.
        EmptyLoop(10_000);
        IsGradLoop(10_000);
        AddLoop(a, b, 10_000);
        AddInScopeLoop(a, b, 10_000);

        return new InteropTimings(
            PerOpNs(() => EmptyLoop(ops), ops, rounds),
            PerOpNs(() => IsGradLoop(ops), ops, rounds),
            PerOpNs(() => AddLoop(a, b, ops), ops, rounds),
            PerOpNs(() => AddInScopeLoop(a, b, ops), ops, rounds));
    }

    private static double PerOpNs(Action loop, int ops, int rounds)
    {
        var samples = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            loop();
            samples[r] = sw.Elapsed.TotalNanoseconds / ops;
        }

        return Median(samples);
    }

    private static long s_sink;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EmptyLoop(int n)
    {
        long acc = 0;
        for (var i = 0; i < n; i++)
        {
            acc += i; // keeps the loop from being removed
        }

        s_sink = acc;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void IsGradLoop(int n)
    {
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (Torch.Torch.IsGradEnabled)
            {
                count++;
            }
        }

        s_sink = count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddLoop(Tensor a, Tensor b, int n)
    {
        for (var i = 0; i < n; i++)
        {
            using var c = a + b;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddInScopeLoop(Tensor a, Tensor b, int n)
    {
        for (var i = 0; i < n; i++)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            _ = a + b;
        }
    }

    // ---------------------------------------------------------------- models

    // ---------------------------------------------------------------- python peer

    /// <summary>
    /// Runs <see cref="Settings.Rounds"/> rounds of the C# side (<paramref name="ours"/>) and one call of the Python
    /// peer, alternating the order (C# then Python, then Python then C#, ...) so slow drift in the machine's speed
    /// (other tenants, heat) does not favour one side; the caller pools the samples of all rounds. After the first
    /// failed peer call (<paramref name="problem"/> returns a reason) the peer is not called again.
    /// </summary>
    internal static (List<PeerResult> Rounds, string? Error) AlternateRounds(Settings settings, string peerLabel, Func<PeerResult> callPeer,
        Func<PeerResult, string?> problem, Func<PeerResult, string> summary, Action ours)
    {
        var peerRounds = new List<PeerResult>();
        string? peerError = null;
        for (var round = 0; round < settings.Rounds; round++)
        {
            Console.WriteLine($"round {round + 1}/{settings.Rounds}:");
            var pythonFirst = round % 2 == 1;
            if (pythonFirst)
            {
                RunPeerRound();
            }

            ours();
            if (!pythonFirst)
            {
                RunPeerRound();
            }
        }

        return (peerRounds, peerError);

        void RunPeerRound()
        {
            if (settings.NoPython || peerError is not null)
            {
                return;
            }

            Console.Write($"  Python: {peerLabel} ... ");
            var p = callPeer();
            if (problem(p) is { } reason)
            {
                peerError = reason;
                Console.WriteLine("unavailable");
                return;
            }

            peerRounds.Add(p);
            Console.WriteLine($"done ({summary(p)})");
        }
    }

    /// <summary>
    /// Runs peer_torch.py once for <paramref name="sections"/> (comma-separated: interop, resnet, adversarial) with
    /// the runner's settings plus <paramref name="extraArguments"/>.
    /// </summary>
    internal static PeerResult RunPeer(Settings settings, string sections, params string[] extraArguments)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peer_torch.py");
        if (!File.Exists(script))
        {
            return Failed($"{script} is missing (it is copied next to the runner at build time).");
        }

        var psi = new ProcessStartInfo(settings.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     script, "--json",
                     "--threads", settings.Threads.ToString(CultureInfo.InvariantCulture),
                     "--iterations", settings.Iterations.ToString(CultureInfo.InvariantCulture),
                     "--warmup", settings.Warmup.ToString(CultureInfo.InvariantCulture),
                     "--interop-ops", settings.InteropOps.ToString(CultureInfo.InvariantCulture),
                     "--batch", settings.Batch.ToString(CultureInfo.InvariantCulture),
                     "--only", sections,
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
                return ParsePeer(json);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return Failed($"cannot parse the peer's output ({e.Message}): {Tail(json)}");
            }
        }

        static PeerResult Failed(string message) => new(null, null, 0, null, [], null, 0, message);
    }

    private static PeerResult ParsePeer(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            return new PeerResult(null, null, 0, null, [], null, 0, error.GetString());
        }

        InteropTimings? interop = null;
        if (root.TryGetProperty("interop", out var i))
        {
            var add = i.GetProperty("add_ns").GetDouble();
            interop = new InteropTimings(i.GetProperty("empty_loop_ns").GetDouble(),
                i.GetProperty("is_grad_enabled_ns").GetDouble(), add, add);
        }

        var models = new Dictionary<string, ModelTimings>();
        if (root.TryGetProperty("resnet", out var r))
        {
            foreach (var m in r.EnumerateObject())
            {
                models[m.Name] = new ModelTimings(m.Value.GetProperty("parameters").GetInt64(),
                    m.Value.GetProperty("train_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                    m.Value.GetProperty("infer_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray());
            }
        }

        AdversarialTimings? adversarial = null;
        if (root.TryGetProperty("adversarial", out var adv))
        {
            adversarial = new AdversarialTimings(adv.GetProperty("parameters").GetInt64(),
                adv.GetProperty("step_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                adv.GetProperty("attack_ms").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        }

        return new PeerResult(root.GetProperty("torch_version").GetString(), root.GetProperty("python_version").GetString(),
            root.GetProperty("threads").GetInt32(), interop, models, adversarial,
            root.TryGetProperty("peak_rss_mib", out var rss) ? rss.GetDouble() : 0, null);
    }

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= 600 ? text : "..." + text[^600..];
    }

    // ---------------------------------------------------------------- report

    private static void PrintTable(Settings settings, InteropTimings? ours, Dictionary<string, ModelTimings> ourModels,
        double ourPeakMiB, PeerResult? peer)
    {
        var rows = new List<string[]>();
        string Ratio(double a, double? b) => b is { } v && v > 0 ? (a / v).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
        string Num(double? v, string format, string unit = "") =>
            v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) + unit : "-";

        if (ours is not null)
        {
            var p = peer?.Interop;
            rows.Add(["empty loop, per iteration", Num(ours.EmptyLoopNs, "F2", " ns"), Num(p?.EmptyLoopNs, "F2", " ns"),
                Ratio(ours.EmptyLoopNs, p?.EmptyLoopNs)]);
            rows.Add(["is_grad_enabled() (native call, no tensor)", Num(ours.IsGradEnabledNs, "F1", " ns"),
                Num(p?.IsGradEnabledNs, "F1", " ns"), Ratio(ours.IsGradEnabledNs, p?.IsGradEnabledNs)]);
            rows.Add([$"add of two 1-element tensors, result freed ({settings.InteropOps:N0} ops)", Num(ours.AddNs, "F0", " ns"),
                Num(p?.AddNs, "F0", " ns"), Ratio(ours.AddNs, p?.AddNs)]);
            rows.Add(["same add, one DisposeScope per op (C#) vs plain add (Python)", Num(ours.AddInScopeNs, "F0", " ns"),
                Num(p?.AddNs, "F0", " ns"), Ratio(ours.AddInScopeNs, p?.AddNs)]);
        }

        foreach (var m in Models)
        {
            if (!ourModels.TryGetValue(m.Key, out var o))
            {
                continue;
            }

            ModelTimings? p = null;
            peer?.Models.TryGetValue(m.Key, out p);
            var oTrain = Median(o.TrainMs);
            var oInfer = Median(o.InferMs);
            double? pTrain = p is null ? null : Median(p.TrainMs);
            double? pInfer = p is null ? null : Median(p.InferMs);
            var n = $"{o.TrainMs.Length} iters";
            string Timed(double? ms) => ms is { } v
                ? Num(v, "F1", " ms") + $" ({(settings.Batch * 1000 / v).ToString("F0", CultureInfo.InvariantCulture)} img/s)"
                : "-";
            rows.Add([$"{m.Label} ({o.Parameters:N0} params) train step, batch {settings.Batch}, median of {n}",
                Timed(oTrain), Timed(pTrain), Ratio(oTrain, pTrain)]);
            rows.Add([$"{m.Label} inference (eval, no-grad), batch {settings.Batch}, median of {n}",
                Timed(oInfer), Timed(pInfer), Ratio(oInfer, pInfer)]);
            if (p is not null && p.Parameters != o.Parameters)
            {
                Console.WriteLine($"WARNING: {m.Label} parameter counts differ: C# {o.Parameters:N0}, Python {p.Parameters:N0}.");
            }
        }

        rows.Add(["peak resident memory of the process", Num(ourPeakMiB, "F0", " MiB"),
            Num(peer is { PeakRssMiB: > 0 } ? peer.PeakRssMiB : null, "F0", " MiB"),
            peer is { PeakRssMiB: > 0 } ? Ratio(ourPeakMiB, peer.PeakRssMiB) : "-"]);

        Report.PrintTable(["benchmark", "MLNetExplain (C#)", "PyTorch (Python)", "ratio ours/python"], rows);
        Console.WriteLine();
        Console.WriteLine("ratio = ours / Python of time or memory: below 1.00x we are faster (or smaller).");
    }

    private static double Median(IReadOnlyList<double> values) => Report.Median(values);
}
