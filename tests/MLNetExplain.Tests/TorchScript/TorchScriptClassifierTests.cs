using System.IO.Compression;
using MLNetExplain.Engine;
using MLNetExplain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>Loading a TorchScript file written by PyTorch, what is checked, and what reaches the wrapped module.</summary>
[Collection(TorchScriptCollection.Name)]
public class TorchScriptClassifierTests(TorchScriptFiles files)
{
    [Fact]
    public void LogitsMatchPyTorch()
    {
        using var scope = NewDisposeScope();
        using var model = TorchScriptClassifier.Load(files.ModelPath, inputShape: [1, 28, 28], classNames: [.. Enumerable.Range(0, 10).Select(i => $"c{i}")]);
        Assert.False(model.training);
        using var noGrad = no_grad();
        var logits = model.call(files.Images());
        Assert.Equal([4L, 10L], logits.shape);
        double error = TorchScriptFiles.RelativeError(logits, files.Logits);
        Console.WriteLine($"TorchScript logits vs PyTorch: relative error {error:G3}");
        Assert.True(error < 1e-5, $"logits differ from PyTorch's by {error:G3} (relative)");
    }

    [Fact]
    public void ParametersModesDtypeAndStateDictReachTheScriptModule()
    {
        using var scope = NewDisposeScope();
        using var model = TorchScriptClassifier.Load(files.ModelPath);
        Assert.Equal(6, model.parameters().Count());
        Assert.Equal(6 * 9 + 6 + 10 * 6 * 9 + 10 + 10 * 1960 + 10, model.parameters().Sum(p => p.numel()));
        Assert.Contains(model.named_modules(), m => m.module is jit.ScriptModule);
        var state = model.state_dict();
        Assert.Contains("script.conv1.weight", state.Keys);
        Assert.Equal([6L, 1L, 3L, 3L], state["script.conv1.weight"].shape);
        Assert.Equal([10L, 6L, 3L, 3L], state["script.conv2.weight"].shape);

        model.train();
        Assert.True(model.Script.training);
        model.eval();
        Assert.False(model.Script.training);

        // to(dtype) converts the script's own parameters: the float64 wrapper gives the same logits.
        using var noGrad = no_grad();
        var images = files.Images();
        var logits32 = model.call(images);
        model.to(ScalarType.Float64);
        Assert.All(model.Script.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        var logits64 = model.call(images.to_type(ScalarType.Float64));
        Assert.True((logits64 - logits32.to_type(ScalarType.Float64)).abs().max().item<double>() < 1e-5);
    }

    [Fact]
    public void MissingWrongAndNonScriptFilesAreRefusedBeforeOrAroundTheNativeLoad()
    {
        var missing = files.File("missing.pt");
        var notFound = Assert.Throws<FileNotFoundException>(() => TorchScriptClassifier.Load(missing));
        Assert.Contains("missing.pt", notFound.Message);

        var text = files.File("notes.pt");
        File.WriteAllText(text, "not a model");
        var notZip = Assert.Throws<InvalidDataException>(() => TorchScriptClassifier.Load(text));
        Assert.Contains("notes.pt", notZip.Message);
        Assert.Contains("zip", notZip.Message);

        var zip = files.File("other.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("readme.txt").Open());
            writer.Write("hello");
        }

        Assert.Contains("other.zip", Assert.Throws<InvalidDataException>(() => TorchScriptClassifier.Load(zip)).Message);
        // torch.save(state_dict) writes a zip too, but no TorchScript code.
        var stateDict = Assert.Throws<InvalidDataException>(() => TorchScriptClassifier.Load(files.StateDictPath));
        Assert.Contains("state_dict.pt", stateDict.Message);
        Assert.Contains("torch.jit.trace", stateDict.Message);
    }

    [Fact]
    public void OutputsThatAreNotLogitsAndWrongImagesAreRefusedWithTheirShapes()
    {
        using var scope = NewDisposeScope();
        using var features = TorchScriptClassifier.Load(files.FeaturesPath);
        var notLogits = Assert.Throws<ArgumentException>(() => features.call(files.Images()));
        Assert.Contains("[4, 10, 14, 14]", notLogits.Message);
        Assert.Contains("features.pt", notLogits.Message);

        using var fiveClasses = TorchScriptClassifier.Load(files.ModelPath, classNames: ["a", "b", "c", "d", "e"]);
        Assert.Contains("[4, 5]", Assert.Throws<ArgumentException>(() => fiveClasses.call(files.Images())).Message);

        using var model = TorchScriptClassifier.Load(files.ModelPath, inputShape: [1, 28, 28]);
        var wrongImages = Assert.Throws<ArgumentException>(() => model.call(zeros(2, 3, 28, 28)));
        Assert.Contains("[N, 1, 28, 28]", wrongImages.Message);
        Assert.Contains("[2, 3, 28, 28]", wrongImages.Message);
        Assert.Throws<ArgumentException>(() => TorchScriptClassifier.Load(files.ModelPath, inputShape: [28, 28]));
    }

    [Fact]
    public void OnAnAffectedEngineProtectionReachesTheScriptAndRefusesItsSixChannelConvolution()
    {
        Console.WriteLine($"conv2d input-gradient fault detected on this engine: {ConvolutionGuard.Detected}");
        ConvolutionGuard.Override = true;
        try
        {
            using var model = TorchScriptClassifier.Load(files.ModelPath);
            var refused = Assert.Throws<NotSupportedException>(() => ModuleProtection.Protect(model));
            Assert.Contains("conv1.weight", refused.Message);
            Assert.Contains("6 output channels", refused.Message);
            Assert.Throws<NotSupportedException>(() => new MLNetExplain.Attribution.Saliency(model));
        }
        finally
        {
            ConvolutionGuard.Override = null;
        }
    }
}
