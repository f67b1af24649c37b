using System.Diagnostics;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// Where the ResNet-18 train step's time goes, and what our code can change: the step split into forward (with the
/// loss), backward and optimiser (zero_grad + step), with minor page faults, for four variants run interleaved
/// (one step of each in turn, so the machine's drift hits all alike) on both sides: the model as it is; in-place
/// ReLU (torchvision's idiom; through the <see cref="ResNet"/> activation factory); the input in channels-last memory format (NHWC strides,
/// which every later layer keeps); and both. TorchSharp 0.107 has no memory-format argument: channels-last is made
/// by permuting to NHWC, copying, and permuting the view back.
/// </summary>
internal sealed class TrainStepBenchmarks : Section
{
    private static readonly (string Key, string Label, bool InPlace, bool ChannelsLast)[] Variants =
    [
        ("default", "as is (NCHW, out-of-place ReLU)", false, false),
        ("inplace", "in-place ReLU", true, false),
        ("cl", "channels-last input", false, true),
        ("cl_inplace", "channels-last input + in-place ReLU", true, true),
    ];

    public override string Name => "trainstep";

    public override string Title(Settings settings) =>
        $"ResNet-18 train step split and variants, batch {settings.Batch}, {settings.Threads} threads, {settings.Iterations} steps of each variant per round";

    public override IReadOnlyList<Row> Rows(Settings settings)
    {
        var rows = new List<Row>();
        foreach (var v in Variants)
        {
            rows.Add(new($"{v.Label}: train step", $"{v.Key}/step", $"{v.Key}/step", Row.Ms(settings.Batch)));
            rows.Add(new($"{v.Label}: forward + loss", $"{v.Key}/fwd", $"{v.Key}/fwd", Row.Ms()));
            rows.Add(new($"{v.Label}: backward", $"{v.Key}/bwd", $"{v.Key}/bwd", Row.Ms()));
            rows.Add(new($"{v.Label}: zero_grad + SGD step", $"{v.Key}/opt", $"{v.Key}/opt", Row.Ms()));
            rows.Add(new($"{v.Label}: process CPU time per step (all threads)", $"{v.Key}/cpu", $"{v.Key}/cpu", Row.Ms()));
            rows.Add(new($"{v.Label}: minor page faults per step", $"{v.Key}/faults", $"{v.Key}/faults", x => Report.Num(x, "F0")));
        }

        return rows;
    }

    public override void MeasureOurs(Settings settings, Samples into)
    {
        using var process = Process.GetCurrentProcess();
        var (x, y) = ModelSteps.Inputs(settings.Batch);
        using var xLast = ChannelsLast(x);
        var runs = Variants.Select(v =>
        {
            random.manual_seed(0);
            var model = ResNet.ResNet18(10, 3, v.InPlace ? () => nn.ReLU(inplace: true) : null);
            model.train();
            return (Variant: v, Model: model, Optimizer: optim.SGD(model.parameters(), 0.01, momentum: 0.9, weight_decay: 5e-4));
        }).ToList();
        try
        {
            for (var k = 0; k < settings.Warmup + settings.Iterations; k++)
            {
                foreach (var run in runs)
                {
                    var faults = PageFaults.Minor();
                    var cpu = process.TotalProcessorTime;
                    var sw = Stopwatch.StartNew();
                    double forward, backward;
                    using (NewDisposeScope())
                    {
                        var loss = nn.functional.cross_entropy(run.Model.call(run.Variant.ChannelsLast ? xLast : x), y);
                        forward = sw.Elapsed.TotalMilliseconds;
                        loss.backward();
                        backward = sw.Elapsed.TotalMilliseconds;
                        run.Optimizer.step();
                        run.Optimizer.zero_grad();
                    }

                    var total = sw.Elapsed.TotalMilliseconds;
                    process.Refresh();
                    var cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds;
                    if (k >= settings.Warmup)
                    {
                        var key = run.Variant.Key;
                        into.Add($"{key}/step", total);
                        into.Add($"{key}/fwd", forward);
                        into.Add($"{key}/bwd", backward - forward);
                        into.Add($"{key}/opt", total - backward);
                        into.Add($"{key}/faults", PageFaults.Minor() - faults);
                        into.Add($"{key}/cpu", cpuMs);
                    }
                }
            }
        }
        finally
        {
            foreach (var run in runs)
            {
                run.Optimizer.Dispose();
                run.Model.Dispose();
            }

            x.Dispose();
            y.Dispose();
        }
    }

    /// <summary>The same values with channels-last (NHWC) strides.</summary>
    public static Tensor ChannelsLast(Tensor x)
    {
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }
}
