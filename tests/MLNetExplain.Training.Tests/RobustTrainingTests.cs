using MLNetExplain.Data.Batching;
using MLNetExplain.Torch;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision.Models;

namespace MLNetExplain.Training.Tests;

[Collection(FashionMnistCollection.Name)]
public class RobustTrainingTests(FashionMnistFixture data)
{
    [Fact]
    public void AdversarialTrainingBuysRobustness()
    {
        var attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 1.0, Steps = 10 };
        using var robust = data.Context.MulticlassClassification.Trainers.AdversarialImageClassification(new AdversarialImageClassificationTrainer.Options
        {
            Model = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.286f], [0.353f]),
            Epochs = 2, BatchSize = 64, LearningRate = 0.1, Seed = 4,
            Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 1.0, Steps = 3 },
        }).Fit(data.Context.Data.TakeRows(data.Train, 6000));
        var standardRobust = data.Context.MulticlassClassification.EvaluateRobustness(data.Model, data.Test, attack, seed: 1);
        var robustRobust = data.Context.MulticlassClassification.EvaluateRobustness(robust, data.Test, attack, seed: 1);
        Assert.True(robustRobust > standardRobust + 0.2, $"robust accuracy: adversarially trained {robustRobust}, standard {standardRobust}");
    }

    [Fact]
    public void GradientAlignmentTrainingAlignsLocalGradients()
    {
        GradientAlignedImageClassificationTrainer.Options Options(double lambda) => new()
        {
            Model = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.286f], [0.353f]).WithSoftplus(3),
            Epochs = 2, BatchSize = 64, LearningRate = 3e-3, Seed = 5, LambdaL2 = lambda, LambdaCos = lambda, Epsilon = 8.0 / 255,
        };
        var train = data.Context.Data.TakeRows(data.Train, 3000);
        using var plain = data.Context.MulticlassClassification.Trainers.GradientAlignedImageClassification(Options(0)).Fit(train);
        using var aligned = data.Context.MulticlassClassification.Trainers.GradientAlignedImageClassification(Options(1)).Fit(train);
        Assert.Equal(ActivationKind.Softplus, aligned.Spec.Activation);

        double L2Term(ImageClassificationTransformer model)
        {
            using var scope = Torch.Torch.NewDisposeScope();
            using var batches = new TensorBatchCursor(data.Test, "Features", 200, "Label");
            batches.MoveNext();
            using var g = new Generator(9);
            var delta = (batches.Features.RandLike(g) * 2 - 1) * (8.0 / 255);
            return GradientAlignment.Loss(model.Model.Forward, batches.Features, batches.Labels!, delta, 1, 1).L2.ToDouble();
        }

        var plainL2 = L2Term(plain);
        var alignedL2 = L2Term(aligned);
        Assert.True(alignedL2 < 0.5 * plainL2, $"gradient change under noise: aligned {alignedL2}, plain {plainL2}");
        var accuracy = data.Context.MulticlassClassification.EvaluateRobustness(aligned, data.Test, new PgdAttackOptions { Epsilon = 0, Steps = 1, StepSize = 1e-3 }, seed: 1);
        Assert.True(accuracy > 0.6, $"aligned model accuracy {accuracy}");
    }
}
