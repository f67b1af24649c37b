// Side-by-side benchmark: MLNetExplain on TorchSharp against Python PyTorch on the same machine, in one run.
//
//   tests/MLNetExplain.Benchmarks/run.sh [options]     (builds in Release; see Settings.Usage and docs/benchmarks.md)
//
// Each section measures our side in this process and the Python peer (peer_torch.py, a fresh process per round)
// in alternating rounds and prints one table of medians: ours, Python, ratio.

using System.Runtime.InteropServices;
using MLNetExplain.Benchmarks;
using static TorchSharp.torch;

Settings settings;
try
{
    settings = Settings.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(Settings.Usage);
    return 0;
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Settings.Usage);
    return 2;
}

set_num_threads(settings.Threads);
Console.WriteLine("MLNetExplain benchmark: ours (TorchSharp) vs Python PyTorch, alternating rounds in one run");
Console.WriteLine($"  machine: {CpuModel()}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}");
Console.WriteLine($"  .NET {Environment.Version}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, " +
                  $"intra-op threads {get_num_threads()}, batch {settings.Batch}, {settings.Rounds} rounds of " +
                  $"{settings.Warmup} warm-up + {settings.Iterations} iterations");
Console.WriteLine($"  sections: {string.Join(", ", settings.Only)}");
// Settings that change both sides' speed (the Python peer inherits them): OpenMP waiting, glibc malloc thresholds.
var tuning = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
    .Where(k => k.StartsWith("OMP_", StringComparison.Ordinal) || k.StartsWith("GOMP_", StringComparison.Ordinal) || k.StartsWith("MALLOC_", StringComparison.Ordinal))
    .Order().Select(k => $"{k}={System.Environment.GetEnvironmentVariable(k)}").ToList();
Console.WriteLine($"  environment: {(tuning.Count == 0 ? "no OMP_/GOMP_/MALLOC_ variables set" : string.Join(" ", tuning))}");
#if DEBUG
Console.WriteLine("  WARNING: Debug build; run with -c Release for meaningful numbers.");
#endif
Console.WriteLine();

Section[] sections =
[
    new InteropBenchmarks(),
    new ResNetBenchmarks(),
    new AdversarialBenchmarks(),
    new ExplainerBenchmarks(),
    new GuardBenchmarks(),
    new PipelineBenchmarks(),
    new LayerBenchmarks(),
    new TrainStepBenchmarks(),
    new AttributionBenchmarks(),
];
var total = System.Diagnostics.Stopwatch.StartNew();
foreach (var section in sections.Where(s => settings.Runs(s.Name)))
{
    SideBySide.Run(section, settings);
}

Console.WriteLine($"total {total.Elapsed.TotalMinutes:F1} min");
return 0;

static string CpuModel()
{
    try
    {
        return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            ?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }
    catch (IOException)
    {
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
