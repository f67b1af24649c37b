// Device check: does MLNetExplain compute on a CUDA device what it computes on the CPU, and how fast?
//
//   dotnet run -c Release --project tests/MLNetExplain.DeviceCheck -- [--device cpu|cuda|cuda:N] [--quick|--full]
//                                                                     [--only a,b,...] [--threads N] [--python PATH] [--no-python]
//
// On a GPU machine without .NET: tests/MLNetExplain.DeviceCheck/pack.sh here, then device.sh there (see pack.sh).
//
//   a. device count, tensor round trip CPU -> device -> CPU, seeded draws
//   b. conv2d, conv_transpose2d, linear, batch norm (train/eval), max pool, bilinear interpolation, softplus and
//      cross-entropy: forward and gradients on the device vs the CPU
//   c. double backward (create_graph) through conv/BN/softplus/deconv/ReLU, float64 and float32
//   d. five SGD steps of a SmallCnn from the same initialisation: losses and final weights
//   e. Saliency and SmoothGrad (same Generator seed) and ResNet-18 logits
//   f. the public pipeline: ExplainContext(GpuDeviceId) -> ExplainerAlignment fit -> Transform -> columns, save on the
//      device and reload on the CPU
//   g. latency table (ResNet-18: forward, explainer one pass, Saliency, SmoothGrad-50; 3x32x32 and 3x224x224, batch
//      1 and 64) and a ResNet-18 train step / inference side by side with Python PyTorch on the same device
//
// With --device cpu every comparison is CPU against CPU: that proves the program, not a device. --quick (the default on
// the CPU) shrinks section g. Prints one PASS/FAIL line per comparison and ends with "device-check: N passed, N failed";
// the exit code is 1 when anything failed, 2 for bad arguments.

using System.Diagnostics;
using System.Runtime.InteropServices;
using MLNetExplain.DeviceCheck;
using MLNetExplain.Torch;

Settings settings;
try
{
    settings = Settings.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Settings.Usage);
    return 2;
}

if (settings.Help)
{
    Console.WriteLine(Settings.Usage);
    return 0;
}

if (settings.Threads is { } threads)
{
    Torch.NumThreads = threads;
}

var total = Stopwatch.StartNew();
Console.WriteLine("MLNetExplain device check");
Console.WriteLine($"  .NET {Environment.Version}, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, " +
                  $"{Environment.ProcessorCount} cores");
var cudaDevices = Torch.CudaDeviceCount;
Console.WriteLine($"  libtorch: Torch.CudaDeviceCount = {cudaDevices}, Torch.IsCudaAvailable = {Torch.IsCudaAvailable}, " +
                  $"intra-op threads {Torch.NumThreads}");
var device = settings.Device ?? Device.BestAvailable;
Console.WriteLine($"  device under test: {device}{(settings.Quick ? " (quick)" : "")}; reference: cpu");
#if DEBUG
Console.WriteLine("  WARNING: Debug build; latency numbers are not meaningful.");
#endif

var log = new CheckLog(device);
if (device.Type == DeviceType.Cuda && cudaDevices <= Math.Max(device.Index, 0))
{
    // Nothing below could run; say why once instead of failing every check.
    log.Check("a. CUDA device present", false,
        $"{device} requested but libtorch sees {cudaDevices} CUDA devices (CPU-only libtorch, libtorch_cuda not loaded, or no driver)");
}
else
{
    if (device.Type == DeviceType.Cuda)
    {
        log.Check("a. CUDA device present", true, $"{cudaDevices} device(s)");
    }

    ParityChecks.Run(log, settings.Wants);
    if (settings.Wants('f'))
    {
        PipelineCheck.Run(log);
    }

    if (settings.Wants('g'))
    {
        LatencyCheck.Run(log, settings);
    }
}

Console.WriteLine();
Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
Console.WriteLine($"device-check: {log.Passed} passed, {log.Failed} failed");
return log.Failed == 0 ? 0 : 1;

namespace MLNetExplain.DeviceCheck
{
    /// <summary>Command-line settings.</summary>
    internal sealed record Settings(Device? Device, bool Quick, string Only, int? Threads, string Python, bool NoPython, bool Help)
    {
        public const string Usage =
            "usage: MLNetExplain.DeviceCheck [--device cpu|cuda|cuda:N] [--quick|--full] [--only a,b,...] [--threads N]\n" +
            "                                 [--python PATH] [--no-python]\n" +
            "  --device        device under test (default: cuda when libtorch sees one, else cpu)\n" +
            "  --quick/--full  small or full latency section (default: full on cuda, quick on cpu)\n" +
            "  --only LETTERS  sections to run, e.g. a,b,f (default: all of a-g)\n" +
            "  --skip-latency  the same as --only a,b,c,d,e,f\n" +
            "  --threads N     libtorch intra-op threads, also for the Python peer (default: all cores)\n" +
            "  --python PATH   the Python with torch for the side-by-side peer (default: python3)\n" +
            "  --no-python     no Python peer";

        public static Settings Parse(string[] args)
        {
            Device? device = null;
            bool? quick = null;
            bool noPython = false, help = false;
            var only = "abcdefg";
            int? threads = null;
            var python = "python3";
            for (var k = 0; k < args.Length; k++)
            {
                string Next() => k + 1 < args.Length ? args[++k] : throw new ArgumentException($"{args[k]} needs a value.");
                switch (args[k])
                {
                    case "--device":
                        device = Torch.Device.Parse(Next());
                        break;
                    case "--quick":
                        quick = true;
                        break;
                    case "--full":
                        quick = false;
                        break;
                    case "--only":
                        only = string.Concat(Next().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                        if (only.Length == 0 || only.Any(c => c is < 'a' or > 'g'))
                        {
                            throw new ArgumentException("--only takes section letters a-g, comma-separated.");
                        }

                        break;
                    case "--threads":
                        threads = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture);
                        if (threads < 1)
                        {
                            throw new ArgumentException("--threads must be at least 1.");
                        }

                        break;
                    case "--skip-latency":
                        only = "abcdef";
                        break;
                    case "--python":
                        python = Next();
                        break;
                    case "--no-python":
                        noPython = true;
                        break;
                    case "-h" or "--help":
                        help = true;
                        break;
                    default:
                        throw new ArgumentException($"Unknown option {args[k]}.");
                }
            }

            // The full latency section is sized for a GPU; on a CPU it would take many minutes.
            var cpu = device is { Type: DeviceType.Cpu } || (device is null && !Torch.Torch.IsCudaAvailable);
            return new Settings(device, quick ?? cpu, only, threads, python, noPython, help);
        }

        /// <summary>Whether section <paramref name="letter"/> runs.</summary>
        public bool Wants(char letter) => Only.Contains(letter);
    }
}
