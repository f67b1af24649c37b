using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// Where a ResNet-18 train step spends its time, layer by layer: each distinct convolution of ResNet-18 on 32x32
/// inputs at the batch size (forward; forward + backward to input and weight), batch norm in train mode and ReLU
/// (forward + backward), each alone on random data, plus their sum weighted by how often ResNet-18 uses them.
/// libtorch's kernels only (plain conv2d, no guard, no modules), so a ratio here is libtorch 2.10 against 1.13.
/// </summary>
internal sealed class LayerBenchmarks : Section
{
    // (in, out, kernel, stride, input size, occurrences in ResNet-18); as RESNET18_CONVS in peer_torch.py.
    private static readonly (int In, int Out, int K, int S, int Hw, int Count)[] Convs =
    [
        (3, 64, 3, 1, 32, 1),
        (64, 64, 3, 1, 32, 4),
        (64, 128, 3, 2, 32, 1), (128, 128, 3, 1, 16, 3), (64, 128, 1, 2, 32, 1),
        (128, 256, 3, 2, 16, 1), (256, 256, 3, 1, 8, 3), (128, 256, 1, 2, 16, 1),
        (256, 512, 3, 2, 8, 1), (512, 512, 3, 1, 4, 3), (256, 512, 1, 2, 8, 1),
    ];

    // (channels, size, occurrences of batch norm and of ReLU, roughly).
    private static readonly (int C, int Hw, int Count)[] Activations = [(64, 32, 5), (128, 16, 5), (256, 8, 5), (512, 4, 5)];

    public override string Name => "layers";

    public override string Title(Settings settings) =>
        $"ResNet-18's layers alone, batch {settings.Batch}, train mode (libtorch kernels: 2.10 vs 1.13)";

    public override IReadOnlyList<Row> Rows(Settings settings)
    {
        var rows = new List<Row>();
        foreach (var c in Convs)
        {
            var key = ConvKey(c);
            rows.Add(new($"conv {c.In}->{c.Out} k{c.K} s{c.S} at {c.Hw}x{c.Hw} (x{c.Count}): forward", $"{key}/fwd", $"{key}/fwd", Row.Ms()));
            rows.Add(new($"conv {c.In}->{c.Out} k{c.K} s{c.S} at {c.Hw}x{c.Hw} (x{c.Count}): forward + backward", $"{key}/fwdbwd", $"{key}/fwdbwd", Row.Ms()));
        }

        foreach (var a in Activations)
        {
            rows.Add(new($"batch norm (train) {a.C}x{a.Hw}x{a.Hw}: forward", $"bn{a.C}-{a.Hw}/fwd", $"bn{a.C}-{a.Hw}/fwd", Row.Ms()));
            rows.Add(new($"batch norm (train) {a.C}x{a.Hw}x{a.Hw}: forward + backward", $"bn{a.C}-{a.Hw}/fwdbwd", $"bn{a.C}-{a.Hw}/fwdbwd", Row.Ms()));
            rows.Add(new($"ReLU {a.C}x{a.Hw}x{a.Hw}: forward + backward", $"relu{a.C}-{a.Hw}/fwdbwd", $"relu{a.C}-{a.Hw}/fwdbwd", Row.Ms()));
        }

        return rows;
    }

    public override IEnumerable<string> Notes(Settings settings, Samples ours, Samples peer)
    {
        foreach (var line in WeightedLines(ours, peer, ""))
        {
            yield return line;
        }

        foreach (var line in WeightedLines(ours, peer, "_cpu"))
        {
            yield return line;
        }
    }

    private static IEnumerable<string> WeightedLines(Samples ours, Samples peer, string cpu)
    {
        double? Weighted(Samples s, string suffix, bool convs, bool activations)
        {
            suffix += cpu;
            double sum = 0;
            foreach (var c in convs ? Convs : [])
            {
                if (s.Median($"{ConvKey(c)}/{suffix}") is not { } v)
                {
                    return null;
                }

                sum += c.Count * v;
            }

            foreach (var a in activations ? Activations : [])
            {
                if (s.Median($"bn{a.C}-{a.Hw}/fwdbwd{cpu}") is not { } bn || s.Median($"relu{a.C}-{a.Hw}/fwdbwd{cpu}") is not { } relu)
                {
                    return null;
                }

                sum += a.Count * (bn + relu);
            }

            return sum;
        }

        yield return $"Weighted by ResNet-18's use of each layer ({(cpu.Length == 0 ? "wall" : "process CPU")} ms, ours / Python):";
        yield return $"  convolutions forward:            {Report.Num(Weighted(ours, "fwd", true, false), "F1")} / " +
                     $"{Report.Num(Weighted(peer, "fwd", true, false), "F1")} = {Report.Ratio(Weighted(ours, "fwd", true, false), Weighted(peer, "fwd", true, false))}";
        yield return $"  convolutions forward + backward: {Report.Num(Weighted(ours, "fwdbwd", true, false), "F1")} / " +
                     $"{Report.Num(Weighted(peer, "fwdbwd", true, false), "F1")} = {Report.Ratio(Weighted(ours, "fwdbwd", true, false), Weighted(peer, "fwdbwd", true, false))}";
        yield return $"  batch norm + ReLU fwd + bwd:     {Report.Num(Weighted(ours, "", false, true), "F1")} / " +
                     $"{Report.Num(Weighted(peer, "", false, true), "F1")} = {Report.Ratio(Weighted(ours, "", false, true), Weighted(peer, "", false, true))}";
    }

    public override void MeasureOurs(Settings settings, Samples into)
    {
        random.manual_seed(0);
        var batch = settings.Batch;
        foreach (var c in Convs)
        {
            using var scope = NewDisposeScope();
            var weight = (randn(c.Out, c.In, c.K, c.K) * 0.05).requires_grad_(true);
            var x = randn([batch, c.In, c.Hw, c.Hw]).requires_grad_(true);
            var g = randn([batch, c.Out, c.Hw / c.S, c.Hw / c.S]);
            long[] stride = [c.S, c.S], padding = [c.K / 2, c.K / 2], dilation = [1, 1];
            var key = ConvKey(c);
            Repeat(settings, $"{key}/fwd", into, () => nn.functional.conv2d(x, weight, null, stride, padding, dilation, 1));
            Repeat(settings, $"{key}/fwdbwd", into, () => nn.functional.conv2d(x, weight, null, stride, padding, dilation, 1).backward([g]));
        }

        foreach (var a in Activations)
        {
            using var scope = NewDisposeScope();
            using var bn = nn.BatchNorm2d(a.C);
            bn.train();
            var x = randn([batch, a.C, a.Hw, a.Hw]).requires_grad_(true);
            var g = randn([batch, a.C, a.Hw, a.Hw]);
            Repeat(settings, $"bn{a.C}-{a.Hw}/fwd", into, () => bn.call(x));
            Repeat(settings, $"bn{a.C}-{a.Hw}/fwdbwd", into, () => bn.call(x).backward([g]));
            Repeat(settings, $"relu{a.C}-{a.Hw}/fwdbwd", into, () => nn.functional.relu(x).backward([g]));
        }
    }

    private static string ConvKey((int In, int Out, int K, int S, int Hw, int Count) c) => $"conv{c.In}-{c.Out}-k{c.K}-s{c.S}-{c.Hw}";

    // Wall time under "{key}", process CPU time (all threads) under "{key}_cpu": the CPU time is less disturbed by
    // other work on the machine.
    private static void Repeat(Settings settings, string key, Samples into, Action step)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        void Once()
        {
            using var scope = NewDisposeScope();
            step();
        }

        for (var k = 0; k < settings.Warmup; k++)
        {
            Once();
        }

        for (var k = 0; k < settings.Iterations; k++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            into.Add(key, Report.TimeMs(Once));
            process.Refresh();
            into.Add(key + "_cpu", (process.TotalProcessorTime - cpu).TotalMilliseconds);
        }
    }
}
