using System.Diagnostics;
using MLNetExplain.Attacks;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// (c) One PGD-7 L2 (eps 1.5) adversarial train step on the compact ResNet: the library's <see cref="PgdAttack"/>
/// in eval mode (robustness-library steps, no random start, last iterate: <c>UseBest = false</c>, as the Python
/// peer), then train mode, cross-entropy on x_adv, backward, SGD step. 2x the iterations.
/// </summary>
internal sealed class AdversarialBenchmarks : Section
{
    private const double Epsilon = 1.5;
    private const int Steps = 7;

    public override string Name => "adversarial";

    public override string Title(Settings settings) =>
        $"PGD-{Steps} L2 (eps {Epsilon}) adversarial train step, compact ResNet, batch {settings.Batch}, " +
        $"warm-up {settings.Warmup}, {2 * settings.Iterations} iterations per round";

    public override IReadOnlyList<Row> Rows(Settings settings) =>
    [
        new($"PGD-{Steps} L2 attack alone ({Steps} x forward + input gradient, eval mode)", "adv/attack", "adv/attack", Row.Ms(settings.Batch)),
        new("adversarial train step (attack + CE on x_adv + backward + SGD step)", "adv/step", "adv/step", Row.Ms(settings.Batch)),
    ];

    public override void MeasureOurs(Settings settings, Samples into)
    {
        var attack = new PgdAttack(new PgdAttackOptions
        {
            ThreatModel = ThreatModel.L2, Epsilon = Epsilon, Steps = Steps, RandomStart = RandomStart.None, UseBest = false,
        });
        random.manual_seed(0);
        using var model = ResNet.Compact(10, 3, 1);
        var (x, y) = ModelSteps.Inputs(settings.Batch);
        using (x)
        using (y)
        using (var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9, weight_decay: 5e-4))
        {
            model.train();
            for (var k = 0; k < settings.Warmup + 2 * settings.Iterations; k++)
            {
                var sw = Stopwatch.StartNew();
                double attacked;
                using (NewDisposeScope())
                {
                    var adversarial = attack.Perturb(model, x, y);
                    attacked = sw.Elapsed.TotalMilliseconds;
                    var loss = nn.functional.cross_entropy(model.call(adversarial), y);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                }

                if (k >= settings.Warmup)
                {
                    into.Add("adv/attack", attacked);
                    into.Add("adv/step", sw.Elapsed.TotalMilliseconds);
                }
            }
        }
    }
}
