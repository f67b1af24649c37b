using MLNetExplain.Attacks;
using MLNetExplain.Tests.Attacks;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.Models;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Training;

/// <summary>The trainers take any TorchSharp module: a user's own, and a TorchScript file written by PyTorch.</summary>
[Collection(FashionMnistCollection.Name)]
public class ModelKindsTests(FashionMnistFixture data)
{
    private const string ScriptWriter = """
        import sys, torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
                self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
                self.fc = nn.Linear(16, 10)
            def forward(self, x):
                x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
                x = torch.relu(self.conv2(x))
                return self.fc(x.mean(dim=(2, 3)))

        torch.manual_seed(0)
        torch.jit.script(Net()).save(sys.argv[1])
        """;

    private static readonly ClassifierTrainer.Options Quick = new()
    {
        Epochs = 1, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Seed = 3,
    };

    private (Tensor X, Tensor Y) Train => (data.TrainImages.narrow(0, 0, 2000), data.TrainLabels.narrow(0, 0, 2000));

    private double Accuracy<TModel>(TModel model)
        where TModel : nn.Module, nn.IModule<Tensor, Tensor> =>
        ClassifierEvaluation.Accuracy(model, data.TestImages.narrow(0, 0, 500), data.TestLabels.narrow(0, 0, 500));

    [Fact]
    public void UserModuleWithThreeAndTenChannelConvolutionsTrains()
    {
        using var scope = NewDisposeScope();
        using var model = PgdAttackTests.UserModel(7);
        var (x, y) = Train;
        double before = Accuracy(model);
        new ClassifierTrainer(Quick with { Epochs = 4, LearningRate = 0.02 }).Train(model, x, y);
        double after = Accuracy(model);
        Console.WriteLine($"user module accuracy {before} -> {after}");
        Assert.True(after > 0.3 && after > before + 0.2, $"accuracy {before} -> {after}");
        // Adversarial training differentiates through the user's convolutions with respect to the input.
        new AdversarialClassifierTrainer(new AdversarialClassifierTrainer.Options
        {
            Epochs = 1, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, WeightDecay = 0,
            Attack = new PgdAttackOptions { Epsilon = 0.5, Steps = 2 },
        }).Train(model, x.narrow(0, 0, 256), y.narrow(0, 0, 256));
        Assert.True(Accuracy(model) > 0.25);
    }

    [Fact]
    public void TorchScriptModuleWrittenByPyTorchTrains()
    {
        using var dir = new TempDirectory();
        var path = dir.File("net.pt");
        PythonTorch.Run(ScriptWriter, path);
        using var scope = NewDisposeScope();
        using var model = jit.load<Tensor, Tensor>(path);
        var (x, y) = Train;
        var before = model.state_dict()["conv1.weight"].clone();
        double accuracyBefore = Accuracy(model);
        var reports = new ClassifierTrainer(Quick with { Epochs = 3 }).Train(model, x, y);
        double accuracy = Accuracy(model);
        Console.WriteLine($"script module accuracy {accuracyBefore} -> {accuracy}");
        Assert.False(before.eq(model.state_dict()["conv1.weight"]).all().item<bool>(), "the script module's weights were trained");
        Assert.True(accuracy > 0.3 && accuracy > accuracyBefore + 0.2, $"accuracy {accuracyBefore} -> {accuracy}; {reports[^1]}");
        new AdversarialClassifierTrainer(new AdversarialClassifierTrainer.Options
        {
            Epochs = 1, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, WeightDecay = 0,
            Attack = new PgdAttackOptions { Epsilon = 0.5, Steps = 2 },
        }).Train(model, x.narrow(0, 0, 256), y.narrow(0, 0, 256));
    }
}
