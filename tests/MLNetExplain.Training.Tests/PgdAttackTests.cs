using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Training.Evaluation;

namespace MLNetExplain.Training.Tests;

[Collection(FashionMnistCollection.Name)]
public class PgdAttackTests(FashionMnistFixture data)
{
    private (Tensor X, Tensor Y) Batch(int n)
    {
        using var batches = new TensorBatchCursor(data.Test, "Features", n, "Label");
        Assert.True(batches.MoveNext());
        return (batches.Features.Clone().DetachFromDisposeScope(), batches.Labels!.Clone().DetachFromDisposeScope());
    }

    [Fact]
    public void StepSizeDefaultsToTwoAndAHalfEpsilonOverSteps()
    {
        Assert.Equal(0.1875, new PgdAttackOptions { Epsilon = 1.5, Steps = 20 }.EffectiveStepSize, 12);
        Assert.Equal(0.05, new PgdAttackOptions { Epsilon = 1.5, Steps = 20, StepSize = 0.05 }.EffectiveStepSize);
        Assert.Throws<ArgumentException>(() => new PgdAttack(new PgdAttackOptions { Steps = 0 }));
    }

    [Theory]
    [InlineData(ThreatModel.L2, RandomStart.None, true)]
    [InlineData(ThreatModel.L2, RandomStart.Sphere, false)]
    [InlineData(ThreatModel.L2, RandomStart.Ball, true)]
    [InlineData(ThreatModel.LInf, RandomStart.Ball, true)]
    [InlineData(ThreatModel.LInf, RandomStart.None, false)]
    public void AdversarialExamplesStayInTheBallAndTheBox(ThreatModel threat, RandomStart start, bool useBest)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var (x, y) = Batch(32);
        var eps = threat == ThreatModel.L2 ? 1.5 : 8.0 / 255;
        var attack = new PgdAttack(new PgdAttackOptions { ThreatModel = threat, Epsilon = eps, Steps = 5, RandomStart = start, UseBest = useBest });
        using var g = new Generator(3);
        var adv = attack.Perturb(data.Model.Model, x, y, g);
        Assert.InRange(adv.Min().ToDouble(), 0, 1);
        Assert.InRange(adv.Max().ToDouble(), 0, 1);
        var delta = (adv - x).Flatten(1);
        var norms = threat == ThreatModel.L2 ? delta.Norm(2, [1]).ToArray<float>() : delta.Abs().Max(1).Values.ToArray<float>();
        Assert.All(norms, n => Assert.True(n <= eps + 1e-6, $"norm {n} exceeds {eps}"));
        Assert.True(norms.Average() > eps * 0.3, "the attack should use its budget");
        Assert.True(data.Model.Model.IsTraining == false, "the model's mode is restored (eval here)");
    }

    [Fact]
    public void RandomStartsLieOnTheSphereOrInsideTheBall()
    {
        using var scope = Torch.Torch.NewDisposeScope();
        var x = Tensor.Full([64, 1, 8, 8], 0.5);
        using var g = new Generator(5);
        var sphere = new PgdAttack(new PgdAttackOptions { Epsilon = 0.5, RandomStart = RandomStart.Sphere }).StartingPoint(x, g);
        Assert.All((sphere - x).Flatten(1).Norm(2, [1]).ToArray<float>(), n => Assert.Equal(0.5, n, 4));
        var ball = (new PgdAttack(new PgdAttackOptions { Epsilon = 0.5, RandomStart = RandomStart.Ball }).StartingPoint(x, g) - x)
            .Flatten(1).Norm(2, [1]).ToArray<float>();
        Assert.All(ball, n => Assert.InRange(n, 0, 0.5 + 1e-6));
        Assert.True(ball.Max() - ball.Min() > 0.2, "ball radii vary");
        var none = new PgdAttack(new PgdAttackOptions { Epsilon = 0.5 }).StartingPoint(x, g);
        Assert.Equal(0, (none - x).Abs().Max().ToDouble());
        var box = new PgdAttack(new PgdAttackOptions { ThreatModel = ThreatModel.LInf, Epsilon = 0.1, RandomStart = RandomStart.Sphere }).StartingPoint(x, g);
        Assert.All((box - x).Abs().ToArray<float>(), d => Assert.Equal(0.1f, d, 5));
    }

    [Fact]
    public void PgdLowersTheAccuracyOfATrainedModel()
    {
        var clean = data.Context.MulticlassClassification.EvaluateRobustness(data.Model, data.Test, new PgdAttackOptions { Epsilon = 0, Steps = 1, StepSize = 1e-3 }, seed: 1);
        var attacked = data.Context.MulticlassClassification.EvaluateRobustness(data.Model, data.Test,
            new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 10 }, seed: 1);
        var metrics = data.Context.MulticlassClassification.Evaluate(data.Model.Transform(data.Test));
        Assert.Equal(metrics.MicroAccuracy, clean, 6);
        Assert.True(clean > 0.75, $"clean accuracy {clean}");
        Assert.True(attacked < clean / 3, $"PGD-L2 eps 1.5 accuracy {attacked} vs clean {clean}");
    }
}
