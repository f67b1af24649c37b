using MLNetExplain.Attacks;
using MLNetExplain.Models;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Training;

[Collection(FashionMnistCollection.Name)]
public class RobustTrainingTests(FashionMnistFixture data)
{
    private Tensor TestImages => data.TestImages.narrow(0, 0, 500);

    private Tensor TestLabels => data.TestLabels.narrow(0, 0, 500);

    [Fact]
    public void RobustAccuracyWithoutBudgetIsAccuracyAndPgdLowersIt()
    {
        double clean = ClassifierEvaluation.Accuracy(data.Model, TestImages, TestLabels, batchSize: 128);
        double zero = ClassifierEvaluation.RobustAccuracy(data.Model, TestImages, TestLabels, new PgdAttack(new() { Epsilon = 0, Steps = 1 }), batchSize: 100);
        double attacked = ClassifierEvaluation.RobustAccuracy(data.Model, TestImages, TestLabels,
            new PgdAttack(new() { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 10 }), seed: 1);
        Assert.Equal(clean, zero, 12);
        Assert.True(attacked < clean / 3, $"PGD-L2 eps 1.5 accuracy {attacked} vs clean {clean}");
        Assert.False(data.Model.training);
    }

    [Fact]
    public void AdversarialTrainingRaisesPgdAccuracy()
    {
        var attack = new PgdAttack(new() { ThreatModel = ThreatModel.L2, Epsilon = 1.0, Steps = 10 });
        using var robust = FashionMnistFixture.Spec.Build(new Generator(1));
        new AdversarialClassifierTrainer(new()
        {
            Epochs = 2, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Seed = 4,
            Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 1.0, Steps = 3 },
        }).Train(robust, data.TrainImages.narrow(0, 3000, 3000), data.TrainLabels.narrow(0, 3000, 3000));
        double standardRobust = ClassifierEvaluation.RobustAccuracy(data.Model, TestImages, TestLabels, attack, seed: 1);
        double robustRobust = ClassifierEvaluation.RobustAccuracy(robust, TestImages, TestLabels, attack, seed: 1);
        double robustClean = ClassifierEvaluation.Accuracy(robust, TestImages, TestLabels);
        Console.WriteLine($"PGD-10 L2 eps 1.0: adversarially trained {robustRobust:F3} (clean {robustClean:F3}), standard {standardRobust:F3}");
        Assert.True(robustRobust > standardRobust + 0.2, $"robust accuracy: adversarially trained {robustRobust}, standard {standardRobust}");
        Assert.True(robustClean > 0.5, $"clean accuracy of the robust model {robustClean}");
    }

    [Fact]
    public void GradientAlignedTrainingAlignsLocalGradients()
    {
        var spec = ClassifierSpec.SmallCnn(10, 1, 8).WithNormalization([0.286f], [0.353f]).WithSoftplus(3);
        GradientAlignedClassifierTrainer.Options Options(double lambda) => new()
        {
            Epochs = 2, BatchSize = 64, LearningRate = 1e-2, Seed = 5, LambdaL2 = lambda, LambdaCos = lambda, Epsilon = 8.0 / 255,
        };
        var (x, y) = (data.TrainImages.narrow(0, 0, 2000), data.TrainLabels.narrow(0, 0, 2000));
        using var plain = spec.Build(new Generator(2));
        using var aligned = spec.Build(new Generator(2));
        new GradientAlignedClassifierTrainer(Options(0)).Train(plain, x, y);
        new GradientAlignedClassifierTrainer(Options(1)).Train(aligned, x, y);

        double L2Term(ConvClassifier model)
        {
            using var scope = NewDisposeScope();
            var normalized = (NormalizedClassifier)model;
            var images = TestImages.narrow(0, 0, 200);
            var delta = (rand(images.shape, generator: new Generator(9)) * 2 - 1) * (8.0 / 255) / normalized.Std;
            return GradientAlignment.Loss(normalized.Net.call, normalized.Normalize(images), TestLabels.narrow(0, 0, 200), delta, 1, 1)
                .L2.item<float>();
        }

        double plainL2 = L2Term(plain);
        double alignedL2 = L2Term(aligned);
        double accuracy = ClassifierEvaluation.Accuracy(aligned, TestImages, TestLabels);
        Console.WriteLine($"gradient change under noise: aligned {alignedL2}, plain {plainL2}; accuracy aligned {accuracy}, plain {ClassifierEvaluation.Accuracy(plain, TestImages, TestLabels)}");
        Assert.True(alignedL2 < 0.5 * plainL2, $"gradient change under noise: aligned {alignedL2}, plain {plainL2}");
        Assert.True(accuracy > 0.5, $"aligned model accuracy {accuracy}");
    }
}
