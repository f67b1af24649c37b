// The adversarial section (issue "Models and trainers"): one PGD-7 L2 adversarial training step on the compact
// ResNet, MLNetExplain against the same step in Python PyTorch (peer_torch.py's bench_adversarial), in
// alternating rounds of one run.

using System.Globalization;
using MLNetExplain.Torch;
using MLNetExplain.Torch.NN;
using MLNetExplain.Torch.Optim;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Benchmarks;

/// <summary>Per-iteration milliseconds of the adversarial train step and of its attack part.</summary>
internal sealed record AdversarialTimings(long Parameters, double[] StepMs, double[] AttackMs)
{
    public AdversarialTimings Merge(AdversarialTimings other) =>
        new(Parameters, [.. StepMs, .. other.StepMs], [.. AttackMs, .. other.AttackMs]);
}

internal static class AdversarialBenchmarks
{
    private const double Epsilon = 1.5;
    private const int Steps = 7;

    public static void Run(Settings settings)
    {
        var warmup = settings.Warmup;
        var iterations = settings.Iterations * 2;
        Console.WriteLine($"== adversarial: PGD-{Steps} L2 (eps {Epsilon}) adversarial train step, compact ResNet, batch {settings.Batch}: C# vs Python ==");
        Console.WriteLine($"  warm-up {warmup}, iterations {iterations} x {settings.Rounds} rounds; load average at start: {Report.LoadAverage()}");

        AdversarialTimings? ours = null;
        AdversarialTimings? oursBest = null;
        var (peerRounds, peerError) = Program.AlternateRounds(settings, "peer_torch.py --only adversarial",
            () => Program.RunPeer(settings, "adversarial",
                "--adv-iterations", iterations.ToString(CultureInfo.InvariantCulture),
                "--adv-warmup", warmup.ToString(CultureInfo.InvariantCulture)),
            p => p.Error ?? (p.Adversarial is null ? "the peer reported no adversarial timings" : null),
            p => $"step {Report.Median(p.Adversarial!.StepMs):F1} ms, attack {Report.Median(p.Adversarial.AttackMs):F1} ms",
            () =>
            {
                Console.Write("  C#: PGD train step (UseBest = false, as Python) ... ");
                var t = Measure(settings.Batch, warmup, iterations, useBest: false);
                ours = ours is null ? t : ours.Merge(t);
                Console.WriteLine($"done (step {Report.Median(t.StepMs):F1} ms, attack {Report.Median(t.AttackMs):F1} ms)");

                Console.Write("  C#: PGD train step (UseBest = true, the library default) ... ");
                t = Measure(settings.Batch, warmup, iterations, useBest: true);
                oursBest = oursBest is null ? t : oursBest.Merge(t);
                Console.WriteLine($"done (step {Report.Median(t.StepMs):F1} ms, attack {Report.Median(t.AttackMs):F1} ms)");
            });

        Console.WriteLine($"load average at end: {Report.LoadAverage()} (other work on the machine skews both sides)");
        Console.WriteLine();
        var peer = peerRounds.Count == 0 ? null : peerRounds[0];
        var theirs = peerRounds.Select(r => r.Adversarial!).Aggregate((AdversarialTimings?)null, (a, b) => a is null ? b : a.Merge(b));
        Program.PrintPeerNote(peerError, peer);
        if (ours is null || oursBest is null)
        {
            return;
        }

        if (theirs is not null && theirs.Parameters != ours.Parameters)
        {
            Console.WriteLine($"WARNING: parameter counts differ: C# {ours.Parameters:N0}, Python {theirs.Parameters:N0}.");
        }

        var batch = settings.Batch;
        string Timed(double? ms) => ms is { } v
            ? Report.Num(v, "F1", " ms") + $" ({(batch * 1000 / v).ToString("F0", CultureInfo.InvariantCulture)} img/s)"
            : "-";
        var n = $"median of {ours.StepMs.Length} iters";
        double? theirStep = theirs is null ? null : Report.Median(theirs.StepMs);
        double? theirAttack = theirs is null ? null : Report.Median(theirs.AttackMs);
        List<string[]> rows =
        [
            [$"PGD-{Steps} L2 attack alone (eval mode, {Steps} x forward + input gradient), batch {batch}, {n}",
                Timed(Report.Median(ours.AttackMs)), Timed(theirAttack), Report.Ratio(Report.Median(ours.AttackMs), theirAttack)],
            [$"adversarial train step (attack + CE on x_adv + backward + SGD), batch {batch}, {n}",
                Timed(Report.Median(ours.StepMs)), Timed(theirStep), Report.Ratio(Report.Median(ours.StepMs), theirStep)],
            ["same step with UseBest = true (C# library default; extra no-grad forward), C# only",
                Timed(Report.Median(oursBest.StepMs)), "-", "-"],
        ];
        Report.PrintTable(["benchmark", "MLNetExplain (C#)", "PyTorch (Python)", "ratio ours/python"], rows);
        Console.WriteLine();
        Console.WriteLine($"compact ResNet 16/32/64 ({ours.Parameters:N0} params), random 3x32x32 input in [0, 1], SGD lr 0.01 momentum 0.9 " +
                          "wd 5e-4; ratio = ours / Python of time: below 1.00x we are faster.");
        Console.WriteLine($"UseBest = true costs {Report.Ratio(Report.Median(oursBest.StepMs), Report.Median(ours.StepMs))} the UseBest = false step (same run).");
        Console.WriteLine();
    }

    // The trainer's step (AdversarialImageClassificationTrainer + ImageClassificationTrainer.RunEpoch): attack in
    // eval mode (PgdAttack restores train mode), CE on x_adv, zero-grad, backward, SGD step, all in one scope.
    private static AdversarialTimings Measure(int batch, int warmup, int iterations, bool useBest)
    {
        using var generator = new Generator(0);
        using var model = ResNet.Compact(10, 3, 1, generator);
        using var x = Tensor.Rand([batch, 3, 32, 32], generator);
        using var y = Tensor.Randint(0, 10, [batch], generator);
        using var optimizer = new Sgd(model.Parameters(), 0.01, momentum: 0.9, weightDecay: 5e-4);
        var attack = new PgdAttack(new PgdAttackOptions
        {
            ThreatModel = ThreatModel.L2, Epsilon = Epsilon, Steps = Steps, RandomStart = RandomStart.None, UseBest = useBest,
        });

        model.Train();
        var step = new List<double>();
        var attackMs = new List<double>();
        for (var k = 0; k < warmup + iterations; k++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            double attacked;
            using (Torch.Torch.NewDisposeScope())
            {
                var adversarial = attack.Perturb(model, x, y, generator);
                attacked = sw.Elapsed.TotalMilliseconds;
                var loss = Functional.CrossEntropy(model.Forward(adversarial), y);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }

            if (k >= warmup)
            {
                step.Add(sw.Elapsed.TotalMilliseconds);
                attackMs.Add(attacked);
            }
        }

        return new AdversarialTimings(model.ParameterCount(), step.ToArray(), attackMs.ToArray());
    }
}
