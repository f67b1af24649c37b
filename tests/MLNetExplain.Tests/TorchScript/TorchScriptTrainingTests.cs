using MLNetExplain.Datasets;
using MLNetExplain.Models;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>The standard trainer trains the TorchScript module's own weights through the wrapper.</summary>
[Collection(TorchScriptCollection.Name)]
public class TorchScriptTrainingTests(TorchScriptFiles files)
{
    [Fact]
    public void OneEpochOnFashionMnistLowersTheLoss()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = FashionMnist.Load(DatasetSplit.Train).ToTensors(0, 512);
        using var model = TorchScriptClassifier.Load(files.ModelPath, inputShape: [1, 28, 28]);
        double Loss()
        {
            using var noGrad = no_grad();
            return nn.functional.cross_entropy(model.call(images), labels).item<float>();
        }

        var conv1 = model.state_dict()["script.conv1.weight"].clone();
        double before = Loss();
        var reports = new ClassifierTrainer(new ClassifierTrainer.Options
        {
            Epochs = 1, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 0.01, WeightDecay = 0, Seed = 5,
        }).Train(model, images, labels);
        double after = Loss();
        Console.WriteLine($"TorchScript training loss {before:F4} -> {after:F4}; {reports[0]}");
        Assert.Single(reports);
        Assert.False(model.training, "the trainer leaves the model in eval mode");
        Assert.False(conv1.eq(model.state_dict()["script.conv1.weight"]).all().item<bool>(), "the script module's weights were trained");
        // From chance (ln 10 = 2.30) 8 Adam steps bring this small CNN well below; a margin of 0.2 is far from noise.
        Assert.True(after < before - 0.2, $"loss {before:F4} -> {after:F4}");
    }
}
