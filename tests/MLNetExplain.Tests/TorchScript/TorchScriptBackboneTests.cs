using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.Datasets;
using MLNetExplain.Explainer;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>export_model.py's FashionCnn written in TorchSharp: its weights come from the TorchScript file by name.</summary>
internal sealed class FashionCnnTwin : ConvClassifier
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 16, 3, padding: 1);
    private readonly Conv2d conv2 = nn.Conv2d(16, 32, 3, padding: 1);
    private readonly Linear fc = nn.Linear(32, 10);

    public FashionCnnTwin() : base(nameof(FashionCnnTwin)) => RegisterComponents();

    public override int NumClasses => 10;

    public override long FeatureChannels => 32;

    public override Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.max_pool2d(nn.functional.relu(conv1.call(input)), 2);
        return nn.functional.relu(conv2.call(x)).MoveToOuterDisposeScope();
    }

    public override Tensor Classify(Tensor features) => fc.call(features.mean([2, 3]));

    /// <summary>A twin holding <paramref name="backbone"/>'s weights (state-dict names without the "script." prefix).</summary>
    public static FashionCnnTwin Of(TorchScriptBackbone backbone)
    {
        var twin = new FashionCnnTwin();
        var weights = backbone.state_dict().ToDictionary(p => p.Key["script.".Length..], p => p.Value);
        twin.load_state_dict(weights, strict: true);
        twin.eval();
        return twin;
    }
}

public sealed class TorchScriptBackboneTests(ExportedModelFiles files) : IClassFixture<ExportedModelFiles>
{
    private static Tensor Images(int count) => FashionMnist.Load(DatasetSplit.Test).ToTensors(0, count).Images;

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double scale = expected.abs().max().item<float>();
        double error = (actual - expected).abs().max().item<float>();
        Assert.True(scale > 0, $"{what}: the reference should not vanish");
        Assert.True(error <= 1e-5 * scale, $"{what}: differs by {error:G3} (scale {scale:G3})");
    }

    [PythonTorchFact]
    public void ExportedFeaturesAndClassifyMakeAConvClassifierThatMatchesTheSameWeightsInTorchSharp()
    {
        using var scope = NewDisposeScope();
        foreach (var path in new[] { files.Scripted, files.TracedModule })
        {
            using var backbone = TorchScriptBackbone.Load(path, inputShape: [1, 28, 28], classNames: FashionMnist.ClassNames);
            Assert.Equal(10, backbone.NumClasses);
            Assert.Equal(32, backbone.FeatureChannels);
            Assert.False(backbone.training);
            using var twin = FashionCnnTwin.Of(backbone);
            var x = Images(4);
            var targets = tensor(new long[] { 9, 2, 1, 1 });
            using (no_grad())
            {
                AssertClose(twin.call(x), backbone.call(x), $"{Path.GetFileName(path)} logits");
                Assert.Equal(new long[] { 4, 32, 14, 14 }, backbone.Features(x).shape);
            }

            // Grad-CAM's default layer on the backbone is the exported feature map: the same maps as the twin's.
            var cam = new GradCam(backbone).Attribute(x, targets);
            Assert.Equal(new long[] { 4, 1, 28, 28 }, cam.shape);
            AssertClose(new GradCam(twin).Attribute(x, targets), cam, "Grad-CAM");
            AssertClose(new Saliency(twin).Attribute(x, targets), new Saliency(backbone).Attribute(x, targets), "saliency");
        }
    }

    [PythonTorchFact]
    public void AModelWithoutTheMethodsOrWithAWrongShapeIsRefusedWithTheFix()
    {
        var missing = Assert.Throws<ArgumentException>(() => TorchScriptBackbone.Load(files.ForwardOnly, inputShape: [1, 28, 28]));
        Assert.Contains("features", missing.Message);
        Assert.Contains("@torch.jit.export", missing.Message);
        var renamed = Assert.Throws<ArgumentException>(() => TorchScriptBackbone.Load(files.Scripted, [1, 28, 28], featuresMethod: "trunk"));
        Assert.Contains("trunk", renamed.Message);
        Assert.Throws<ArgumentException>(() => TorchScriptBackbone.Load(files.Scripted, [1, 28, 28], classNames: ["a", "b"]));

        using var backbone = TorchScriptBackbone.Load(files.Scripted, [1, 28, 28]);
        var wrongSize = Assert.Throws<ArgumentException>(() => backbone.call(zeros(1, 1, 32, 32)));
        Assert.Contains("[N, 1, 28, 28]", wrongSize.Message);

        // A named layer inside TorchScript cannot be hooked: the message points to the backbone.
        using var plain = TorchScriptClassifier.Load(files.Scripted);
        var layer = Assert.Throws<ArgumentException>(() => new GradCam(plain, new GradCamOptions { Layer = "script.conv2" }));
        Assert.Contains("TorchScriptBackbone", layer.Message);
    }

    private sealed class FashionRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    [PythonTorchFact]
    public void GradCamStageOverTheBackboneEqualsTheTensorApi()
    {
        using var scope = NewDisposeScope();
        using var backbone = TorchScriptBackbone.Load(files.Scripted, [1, 28, 28]);
        var x = Images(5);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new FashionRow { Features = x[i].flatten().data<float>().ToArray() }).ToList());
        var fitted = ml.Transforms.GradCam(backbone).Fit(data);
        var maps = fitted.Transform(data).GetColumn<float[]>("GradCAM").ToList();
        Tensor predicted;
        using (no_grad())
        {
            predicted = backbone.call(x).argmax(1);
        }

        var expected = new GradCam(backbone).Attribute(x, predicted);
        for (int i = 0; i < 5; i++)
        {
            AssertClose(expected[i].flatten(), tensor(maps[i]), $"row {i}");
        }

        // The saved pipeline carries the archive and the method names; the loaded stage needs no .pt file.
        var path = files.File("backbone-gradcam.zip");
        ml.Model.SaveWithExplainers(fitted, data.Schema, path);
        using var loaded = ml.Model.LoadWithExplainers(path, out _);
        var stage = Assert.IsType<AttributionTransformer>(Assert.Single(loaded));
        Assert.IsType<TorchScriptBackbone>(stage.Model);
        Assert.Equal(maps, loaded.Transform(data).GetColumn<float[]>("GradCAM"));
    }

    [PythonTorchFact]
    public void TheExplainerTrainerTrainsTheBackboneAndAHeadOnItsFeatureMap()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = FashionMnist.Load(DatasetSplit.Train).ToTensors(0, 64);
        // Not disposed here: it becomes part of the explained classifier, which disposes it.
        var backbone = TorchScriptBackbone.Load(files.Scripted, [1, 28, 28]);
        var conv1 = backbone.state_dict()["script.conv1.weight"].clone();
        // Any fixed one-channel targets do for the mechanics: here the images themselves.
        var trainer = new ExplainerAlignmentTrainer(new ExplainerAlignmentOptions { Epochs = 1, BatchSize = 32, WarmupSteps = 1, LearningRate = 0.01, Seed = 3 });
        var reports = new List<ExplainerAlignmentProgress>();
        using var explained = trainer.Fit(backbone, images, labels, robustTargets: images.clone(), progress: new SynchronousProgress(reports));
        Assert.Same(backbone, explained.Classifier);
        Assert.Single(reports);
        Assert.True(double.IsFinite(reports[0].Loss), $"loss {reports[0].Loss}");
        Assert.False(conv1.eq(backbone.state_dict()["script.conv1.weight"]).all().item<bool>(), "the TorchScript weights trained");
        using var noGrad = no_grad();
        var (logits, maps) = explained.ForwardBoth(images.narrow(0, 0, 3));
        Assert.Equal(new long[] { 3, 10 }, logits.shape);
        Assert.Equal(new long[] { 3, 1, 28, 28 }, maps.shape);
    }

    private sealed class SynchronousProgress(List<ExplainerAlignmentProgress> reports) : IProgress<ExplainerAlignmentProgress>
    {
        public void Report(ExplainerAlignmentProgress value) => reports.Add(value);
    }
}
