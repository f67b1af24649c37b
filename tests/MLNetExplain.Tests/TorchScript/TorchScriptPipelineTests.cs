using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Attribution;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>The ML.NET attribution stages over a TorchScript classifier, and saving such a pipeline.</summary>
[Collection(TorchScriptCollection.Name)]
public class TorchScriptPipelineTests(TorchScriptFiles files)
{
    private readonly MLContext _ml = new(seed: 1);

    public sealed class Digit
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];

        /// <summary>The class 0..9 (stored by ML.NET as key value + 1).</summary>
        [KeyType(10)]
        public uint Label { get; set; }
    }

    public sealed class Wide
    {
        [VectorType(1, 28, 27)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Maps
    {
        public float[] Saliency { get; set; } = [];

        public float[] Predicted { get; set; } = [];
    }

    private IDataView Data() => _ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new Digit
    {
        Features = files.Input.AsSpan(i * 784, 784).ToArray(),
        Label = (uint)TorchScriptFiles.Targets[i],
    }).ToList());

    private ITransformer Fit(TorchScriptClassifier model, IDataView data) =>
        _ml.Transforms.Saliency(model, targetColumnName: "Label")
            .Append(_ml.Transforms.Saliency(model, new SaliencyAttributionOptions { OutputColumnName = "Predicted", BatchSize = 3 }))
            .Fit(data);

    private List<Maps> Run(ITransformer pipeline, IDataView data) => [.. _ml.Data.CreateEnumerable<Maps>(pipeline.Transform(data), reuseRowObject: false)];

    [Fact]
    public void SaliencyStageGivesPyTorchsMapsAndTheTensorApisForThePredictedClass()
    {
        using var scope = NewDisposeScope();
        using var model = TorchScriptClassifier.Load(files.ModelPath, inputShape: [1, 28, 28]);
        var data = Data();
        var fitted = Fit(model, data);
        var rows = Run(fitted, data);
        Assert.Equal(4, rows.Count);
        // PredictionEngine explains one row per call.
        var engine = _ml.Model.CreatePredictionEngine<Digit, Maps>(fitted);
        var one = engine.Predict(new Digit { Features = files.Input.AsSpan(784, 784).ToArray(), Label = (uint)TorchScriptFiles.Targets[1] });
        Assert.True(TorchScriptFiles.RelativeError(tensor(one.Saliency), rows[1].Saliency) < 1e-6);
        var stageMaps = tensor(rows.SelectMany(r => r.Saliency).ToArray());
        double error = TorchScriptFiles.RelativeError(stageMaps, files.Saliency);
        Assert.True(error < 1e-5, $"stage saliency differs from PyTorch's by {error:G3} (relative)");

        var images = files.Images();
        Tensor predicted;
        using (no_grad())
        {
            predicted = model.call(images).argmax(1);
        }

        var expected = new Saliency(model).Attribute(images, predicted).flatten().data<float>().ToArray();
        // Batches of 3 and 1 in the stage against one batch of 4: the rounding of a batched convolution may differ.
        double predictedError = TorchScriptFiles.RelativeError(tensor(rows.SelectMany(r => r.Predicted).ToArray()), expected);
        Assert.True(predictedError < 1e-6, $"stage and tensor API differ by {predictedError:G3}");
    }

    [Fact]
    public void ImagesOfAnotherShapeThanTheModelDeclaresAreRefusedAtFit()
    {
        using var model = TorchScriptClassifier.Load(files.ModelPath, inputShape: [1, 28, 28]);
        var wide = _ml.Data.LoadFromEnumerable(new[] { new Wide { Features = new float[28 * 27] } });
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.Saliency(model).Fit(wide));
        Assert.Contains("'Features'", refused.Message);
        Assert.Contains("[1, 28, 28]", refused.Message);
        Assert.Contains("[1, 28, 27]", refused.Message);
    }

    [Fact]
    public void SavedPipelineCarriesTheTorchScriptArchiveAndTheCurrentWeights()
    {
        using var scope = NewDisposeScope();
        var data = Data();
        using var model = TorchScriptClassifier.Load(files.ModelPath, inputShape: [1, 28, 28], classNames: [.. Enumerable.Range(0, 10).Select(i => $"class {i}")]);
        // Weights changed after loading (as training would) must be what the saved file restores, not the archive's.
        using (no_grad())
        {
            model.Script.named_parameters().Single(p => p.name == "conv1.weight").parameter.mul_(1.5f);
        }

        var fitted = Fit(model, data);
        var before = Run(fitted, data);
        var path = files.File("explained-torchscript.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);
        // The saved file does not need the .pt file.
        var moved = files.File("cnn-moved.pt");
        File.Move(files.ModelPath, moved);
        try
        {
            using var loaded = _ml.Model.LoadWithExplainers(path, out _);
            var after = Run(loaded, data);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i].Saliency, after[i].Saliency);
                Assert.Equal(before[i].Predicted, after[i].Predicted);
            }

            var reloaded = Assert.IsType<TorchScriptClassifier>(loaded.OfType<AttributionTransformer>().First().Model);
            Assert.Equal([1L, 28L, 28L], reloaded.InputShape);
            Assert.Equal("class 9", reloaded.ClassNames![9]);
            Assert.True(TorchScriptFiles.RelativeError(tensor(after.SelectMany(r => r.Saliency).ToArray()), files.Saliency) > 1e-3,
                "the maps come from the changed weights, not the archive's");
        }
        finally
        {
            File.Move(moved, files.ModelPath);
        }
    }

    [Fact]
    public void AWrapperWithoutAnArchiveIsRefusedBySaveWithTheWorkaround()
    {
        var data = Data();
        using var model = new TorchScriptClassifier(jit.load<Tensor, Tensor>(files.ModelPath));
        var fitted = _ml.Transforms.Saliency(model).Fit(data);
        var path = files.File("refused.zip");
        var refused = Assert.Throws<NotSupportedException>(() => _ml.Model.SaveWithExplainers(fitted, data.Schema, path));
        Assert.Contains("TorchScriptClassifier.Load", refused.Message);
        Assert.False(File.Exists(path));
    }
}
