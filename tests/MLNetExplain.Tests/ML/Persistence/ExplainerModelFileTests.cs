using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Datasets;
using MLNetExplain.Models;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.ML.Stages;

namespace MLNetExplain.Tests.ML.Persistence;

public sealed class ExplainerModelFileTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly TempDirectory _folder = new();

    static ExplainerModelFileTests() => RegisterTestModels();

    /// <summary>Rebuilds with other weights, so equal outputs after loading show the weights came from the file.</summary>
    internal static void RegisterTestModels()
    {
        ModelArchitectures.Register<LinearClassifier>("Tests.LinearClassifier", _ => "{}", _ => new LinearClassifier(seed: 99));
        ModelArchitectures.Register<QuadraticClassifier>("Tests.QuadraticClassifier", _ => "{}", _ => new QuadraticClassifier(seed: 99));
    }

    public void Dispose() => _folder.Dispose();

    private sealed class Explained
    {
        public int Id { get; set; }

        public float[] Saliency { get; set; } = [];

        public float[] SmoothGrad { get; set; } = [];

        public float[] Both { get; set; } = [];
    }

    /// <summary>
    /// Built-in, ours, built-in, ours: two ML.NET runs and two MLNetExplain stages; SmoothGrad explains a model
    /// whose gradient depends on the noise.
    /// </summary>
    internal static ITransformer FitPipeline(MLContext ml, IDataView data, LinearClassifier model) =>
        ml.Transforms.CopyColumns("Raw", "Features")
            .Append(ml.Transforms.Saliency(model, targetColumnName: "Label"))
            .Append(ml.Transforms.Concatenate("Both", "Saliency", "Raw"))
            .Append(ml.Transforms.SmoothGrad(new QuadraticClassifier(), new SmoothGradAttributionOptions
            {
                SmoothGrad = new() { Samples = 3, Seed = 5 }, Reduction = MLNetExplain.Attribution.ChannelReduction.Sum, BatchSize = 4,
            }))
            .Fit(data);

    [Fact]
    public void ReloadedPipelineGivesBitIdenticalOutputAndServesPredictionEngine()
    {
        var rows = TinyImages.Rows(9);
        var data = TinyImages.View(_ml, rows);
        var fitted = FitPipeline(_ml, data, new LinearClassifier());
        var path = _folder.File("explained.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);

        using var loaded = _ml.Model.LoadWithExplainers(path, out var inputSchema);
        Assert.Equal(data.Schema.Select(c => (c.Name, c.Type)), inputSchema.Select(c => (c.Name, c.Type)));
        var before = _ml.Data.CreateEnumerable<Explained>(fitted.Transform(data), reuseRowObject: false).ToList();
        var after = _ml.Data.CreateEnumerable<Explained>(loaded.Transform(data), reuseRowObject: false).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(before[i].Saliency, after[i].Saliency);
            Assert.Equal(before[i].SmoothGrad, after[i].SmoothGrad);
            Assert.Equal(before[i].Both, after[i].Both);
        }

        var original = _ml.Model.CreatePredictionEngine<TinyImage, Explained>(fitted);
        var reloaded = _ml.Model.CreatePredictionEngine<TinyImage, Explained>(loaded);
        foreach (var row in rows.Take(3))
        {
            Assert.Equal(original.Predict(row).Saliency, reloaded.Predict(row).Saliency);
        }

        using var zip = ZipFile.OpenRead(path);
        var manifest = JsonNode.Parse(zip.GetEntry("manifest.json")!.Open())!;
        Assert.Equal(ExplainerModelOperations.FormatVersion, (int)manifest["FormatVersion"]!);
        Assert.Equal(["MLNet", "Attribution", "MLNet", "Attribution"], manifest["Stages"]!.AsArray().Select(s => (string)s!["Kind"]!));
        Assert.Equal([false, true, false, true], loaded.Select(stage => stage is AttributionTransformer));
    }

    private sealed class FashionRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];

        [KeyType(10)]
        public uint Label { get; set; }
    }

    [Fact]
    public void ModelsBuiltFromAClassifierSpecTravelByTheirSpec()
    {
        var dataset = FashionMnist.Load(DatasetSplit.Test).Slice(0, 6);
        var rows = Enumerable.Range(0, dataset.Count)
            .Select(i => new FashionRow { Features = [.. dataset.GetImage(i).ToArray().Select(b => b / 255f)], Label = (uint)dataset.Labels[i] }).ToList();
        var data = _ml.Data.LoadFromEnumerable(rows);
        var spec = ClassifierSpec.SmallCnn(numClasses: 10, inputChannels: 1, width: 4);
        var model = spec.Build(new TorchSharp.torch.Generator(3));
        ModelArchitectures.Register(model, spec);
        var fitted = _ml.Transforms.RobustAttribution(model, samples: 2, seed: 1).Fit(data);
        var path = _folder.File("spec.zip");
        _ml.Model.SaveWithExplainers(fitted, data.Schema, path);

        using var loaded = _ml.Model.LoadWithExplainers(path, out _);
        var stage = Assert.IsType<AttributionTransformer>(Assert.Single(loaded));
        Assert.IsType<SmallCnn>(stage.Model);
        Assert.Equal(fitted.Transform(data).GetColumn<float[]>("RobustAttribution"), loaded.Transform(data).GetColumn<float[]>("RobustAttribution"));

        // A loaded model knows its spec, so the loaded pipeline saves again.
        _ml.Model.SaveWithExplainers(loaded, data.Schema, _folder.File("again.zip"));
    }

    [Fact]
    public void UnsavableStagesFailBeforeAnythingIsWritten()
    {
        var model = new LinearClassifier();
        var data = TinyImages.View(_ml, 3);
        var path = _folder.File("existing.zip");
        File.WriteAllText(path, "previous contents");

        var ownMethod = _ml.Transforms.CopyColumns("Raw", "Features")
            .Append(_ml.Transforms.Attribution(new LinearGradient(model), model)).Fit(data);
        var ex = Assert.Throws<NotSupportedException>(() => _ml.Model.SaveWithExplainers(ownMethod, data.Schema, path));
        Assert.Contains("LinearGradient", ex.Message);

        var unregistered = _ml.Transforms.Saliency(new UnregisteredModel()).Fit(data);
        ex = Assert.Throws<NotSupportedException>(() => _ml.Model.SaveWithExplainers(unregistered, data.Schema, path));
        Assert.Contains(nameof(UnregisteredModel), ex.Message);
        Assert.Contains("ModelArchitectures.Register", ex.Message);

        Assert.Equal("previous contents", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void DamagedForeignAndNewerFilesFailNamingTheFile()
    {
        var data = TinyImages.View(_ml, 3);
        var good = _folder.File("good.zip");
        _ml.Model.SaveWithExplainers(FitPipeline(_ml, data, new LinearClassifier()), data.Schema, good);
        var bytes = File.ReadAllBytes(good);

        var truncated = _folder.File("truncated.zip");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        AssertFails<InvalidDataException>(truncated, "corrupt or truncated");

        var corrupt = _folder.File("corrupt.zip");
        File.WriteAllBytes(corrupt, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))]);
        AssertFails<InvalidDataException>(corrupt, "corrupt or truncated");

        var foreign = _folder.File("plain-mlnet.zip");
        _ml.Model.Save(_ml.Transforms.CopyColumns("Raw", "Features").Fit(data), data.Schema, foreign);
        AssertFails<InvalidDataException>(foreign, "plain ML.NET model");

        var newer = Rewrite(good, "newer.zip", "manifest.json", """{"Format":"MLNetExplain.Pipeline","FormatVersion":99,"Stages":[]}""");
        var ex = AssertFails<NotSupportedException>(newer, "newer MLNetExplain");
        Assert.Contains("99", ex.Message);

        var badWeights = Rewrite(good, "bad-weights.zip", "stages/1/model.safetensors", "not safetensors");
        AssertFails<InvalidDataException>(badWeights, "stages/1/model.safetensors");

        var badManifest = Rewrite(good, "bad-manifest.zip", "manifest.json", "{");
        AssertFails<InvalidDataException>(badManifest, "manifest.json");

        Assert.Throws<FileNotFoundException>(() => _ml.Model.LoadWithExplainers(_folder.File("absent.zip"), out _));
    }

    private TException AssertFails<TException>(string path, string reason) where TException : Exception
    {
        var ex = Assert.Throws<TException>(() => _ml.Model.LoadWithExplainers(path, out _));
        Assert.Contains(path, ex.Message);
        Assert.Contains(reason, ex.Message);
        return ex;
    }

    private string Rewrite(string source, string name, string entryName, string content)
    {
        var path = _folder.File(name);
        File.Copy(source, path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        zip.GetEntry(entryName)!.Delete();
        using var writer = new StreamWriter(zip.CreateEntry(entryName).Open());
        writer.Write(content);
        return path;
    }

    private sealed class UnregisteredModel : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
    {
        public UnregisteredModel() : base(nameof(UnregisteredModel))
        {
        }

        public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor input) => input.flatten(1)[.., ..TinyImage.Classes];
    }
}
