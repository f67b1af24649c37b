using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// The steps peer_torch.py times, on the same fixed batch: an SGD train step (lr 0.01, momentum 0.9, weight decay
/// 5e-4; zero_grad, forward, cross-entropy, backward, step, all in one DisposeScope) and a no-grad eval forward.
/// </summary>
internal static class ModelSteps
{
    /// <summary>A fixed batch: pixels uniform in [0, 1], labels in 0..9.</summary>
    public static (Tensor X, Tensor Y) Inputs(int batch, long seed = 0)
    {
        using var generator = new Generator((ulong)seed);
        return (rand([batch, 3, 32, 32], generator: generator), randint(0, 10, [batch], generator: generator));
    }

    /// <summary>
    /// Adds "{key}/train", "{key}/infer" (wall ms), "{key}/train_cpu", "{key}/infer_cpu" (process CPU ms, all
    /// threads: less disturbed by other work on the machine than wall time) and "{key}/train_faults" samples.
    /// </summary>
    public static void TrainAndInfer(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int warmup, int iterations, string key, Samples into)
    {
        using var process = Process.GetCurrentProcess();
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9, weight_decay: 5e-4);
        model.train();
        for (var k = 0; k < warmup + iterations; k++)
        {
            var faults = PageFaults.Minor();
            var cpu = CpuMs(process);
            var sw = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                optimizer.step();
            }

            if (k >= warmup)
            {
                into.Add($"{key}/train", sw.Elapsed.TotalMilliseconds);
                into.Add($"{key}/train_cpu", CpuMs(process) - cpu);
                into.Add($"{key}/train_faults", PageFaults.Minor() - faults);
            }
        }

        model.eval();
        using (no_grad())
        {
            for (var k = 0; k < warmup + iterations; k++)
            {
                var cpu = CpuMs(process);
                var sw = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    model.call(x);
                }

                if (k >= warmup)
                {
                    into.Add($"{key}/infer", sw.Elapsed.TotalMilliseconds);
                    into.Add($"{key}/infer_cpu", CpuMs(process) - cpu);
                }
            }
        }
    }

    /// <summary>The process's CPU time so far, all threads (as Python's time.process_time()).</summary>
    public static double CpuMs(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime.TotalMilliseconds;
    }
}
