using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// (b) CIFAR ResNet-18 and the compact 16/32/64 ResNet (one block per stage; 4x the iterations, 2x the warm-up):
/// SGD-momentum train step and no-grad eval inference at the batch size, 3x32x32, plus minor page faults per step.
/// </summary>
internal sealed class ResNetBenchmarks : Section
{
    public override string Name => "resnet";

    public override string Title(Settings settings) =>
        $"ResNet train step and inference, batch {settings.Batch}, 3x32x32, {settings.Threads} threads, " +
        $"warm-up {settings.Warmup}, {settings.Iterations} iterations per round (compact: 2x / 4x)";

    public override IReadOnlyList<Row> Rows(Settings settings)
    {
        var b = settings.Batch;
        return
        [
            new("CIFAR ResNet-18 (11.2M params) train step", "resnet18/train", "resnet18/train", Row.Ms(b)),
            new("CIFAR ResNet-18 inference (eval, no-grad)", "resnet18/infer", "resnet18/infer", Row.Ms(b)),
            new("compact ResNet 16/32/64 (78k params) train step", "compact/train", "compact/train", Row.Ms(b)),
            new("compact ResNet inference (eval, no-grad)", "compact/infer", "compact/infer", Row.Ms(b)),
            new("ResNet-18 train step: process CPU time (all threads)", "resnet18/train_cpu", "resnet18/train_cpu", Row.Ms()),
            new("ResNet-18 inference: process CPU time (all threads)", "resnet18/infer_cpu", "resnet18/infer_cpu", Row.Ms()),
            new("compact train step: process CPU time (all threads)", "compact/train_cpu", "compact/train_cpu", Row.Ms()),
            new("minor page faults per ResNet-18 train step", "resnet18/train_faults", "resnet18/train_faults", v => Report.Num(v, "F0")),
        ];
    }

    public override void MeasureOurs(Settings settings, Samples into)
    {
        var (x, y) = ModelSteps.Inputs(settings.Batch);
        using (x)
        using (y)
        {
            random.manual_seed(0);
            using (var model = ResNet.ResNet18(10, 3))
            {
                ModelSteps.TrainAndInfer(model, x, y, settings.Warmup, settings.Iterations, "resnet18", into);
            }

            random.manual_seed(0);
            using (var model = ResNet.Compact(10, 3, 1))
            {
                ModelSteps.TrainAndInfer(model, x, y, 2 * settings.Warmup, 4 * settings.Iterations, "compact", into);
            }
        }
    }
}
