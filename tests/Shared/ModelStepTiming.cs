using System.Diagnostics;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Benchmarks.Shared;

/// <summary>Train-step and inference times of a 3x32x32 ResNet (compiled into the benchmark runner and the device check).</summary>
internal sealed record ModelTimings(long Parameters, double[] TrainMs, double[] InferMs);

/// <summary>
/// Times the step peer_torch.py times: SGD (lr 0.01, momentum 0.9, weight decay 5e-4) on cross-entropy of a fixed
/// random batch, then no-grad inference in eval mode; warm-up iterations are run and dropped.
/// </summary>
internal static class ModelStepTiming
{
    public static ModelTimings Measure(Func<Generator, ResNet> create, Device device, int batch, int warmup, int iterations)
    {
        using var generator = new Generator(0);
        using var model = create(generator);
        model.To(device);
        using var x = Tensor.Randn([batch, 3, 32, 32], generator, device: device);
        using var y = Tensor.Randint(0, 10, [batch], generator, device: device);
        using var optimizer = new Sgd(model.Parameters(), 0.01, momentum: 0.9, weightDecay: 5e-4);

        model.Train();
        var train = new List<double>();
        for (var k = 0; k < warmup + iterations; k++)
        {
            var sw = Stopwatch.StartNew();
            using (Torch.Torch.NewDisposeScope())
            {
                optimizer.ZeroGrad();
                var loss = Functional.CrossEntropy(model.Forward(x), y);
                loss.Backward();
                optimizer.Step();
                WaitFor(loss, device); // after the step, so its kernels are waited for too
            }

            if (k >= warmup)
            {
                train.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        model.Eval();
        var infer = new List<double>();
        using (Torch.Torch.NoGrad())
        {
            for (var k = 0; k < warmup + iterations; k++)
            {
                var sw = Stopwatch.StartNew();
                using (var logits = model.Forward(x))
                {
                    WaitFor(logits, device);
                }

                if (k >= warmup)
                {
                    infer.Add(sw.Elapsed.TotalMilliseconds);
                }
            }
        }

        return new ModelTimings(model.ParameterCount(), train.ToArray(), infer.ToArray());
    }

    // A GPU runs kernels asynchronously: reading one value back waits for them. The CPU has finished already.
    private static void WaitFor(Tensor t, Device device)
    {
        if (device.Type != DeviceType.Cpu)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            t.Flatten().Select(0, 0).ToDouble();
        }
    }
}
