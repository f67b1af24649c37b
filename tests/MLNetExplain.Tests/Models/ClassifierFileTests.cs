using TorchSharp;
using System.IO.Compression;
using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Models;

public class ClassifierFileTests
{
    private static readonly ClassifierSpec Spec = ClassifierSpec.CompactResNet(10, 1).WithNormalization([0.286f], [0.353f]);

    // A model whose batch-norm statistics are not the defaults, so the buffers must travel too.
    private static ConvClassifier TrainedLooking()
    {
        var model = Spec.Build(new Generator(11));
        using var noGrad = no_grad();
        var g = new Generator(12);
        foreach (var (name, t) in model.state_dict())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal))
            {
                t.copy_(randn(t.shape, generator: g) * 0.1);
            }
            else if (name.EndsWith("running_var", StringComparison.Ordinal))
            {
                t.copy_(rand(t.shape, generator: g) + 0.5);
            }
        }

        model.eval();
        return model;
    }

    [Fact]
    public void RoundTripGivesIdenticalLogits()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = TrainedLooking();
        var path = dir.File("model.mlxc");
        ClassifierFile.Save(path, model, Spec);
        Assert.Equal(Spec, ClassifierFile.ReadSpec(path));
        using var loaded = ClassifierFile.Load(path, out var spec);
        Assert.Equal(Spec, spec);
        Assert.False(loaded.training);
        var x = rand(4, 1, 28, 28, generator: new Generator(1));
        using (no_grad())
        {
            Assert.True(model.call(x).eq(loaded.call(x)).all().item<bool>());
        }

        Assert.Single(Directory.GetFiles(dir.Path));

        // The stream form (for embedding in other model files) holds the same archive.
        using (var buffer = new MemoryStream())
        {
            ClassifierFile.Save(buffer, model, Spec);
            buffer.Position = 0;
            var (fromStream, streamSpec) = ClassifierFile.Load(buffer);
            using (fromStream)
            using (no_grad())
            {
                Assert.Equal(Spec, streamSpec);
                Assert.True(model.call(x).eq(fromStream.call(x)).all().item<bool>());
            }
        }

        // Saving again replaces the file in place.
        ClassifierFile.Save(path, loaded, spec);
        using var again = ClassifierFile.Load(path);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.mlxc");
        var ex = Assert.Throws<FileNotFoundException>(() => ClassifierFile.Load(path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void CorruptTruncatedForeignAndNewerFilesAreRefusedWithTheirName()
    {
        using var dir = new TempDirectory();
        using var model = TrainedLooking();
        var good = dir.File("good.mlxc");
        ClassifierFile.Save(good, model, Spec);
        var bytes = File.ReadAllBytes(good);

        var garbage = dir.File("garbage.mlxc");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 500).Select(i => (byte)(i * 7))]);
        AssertRefused<InvalidDataException>(garbage, "not a zip archive");

        var truncated = dir.File("truncated.mlxc");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        AssertRefused<InvalidDataException>(truncated, "truncated");

        // Damage inside the weights (the archive's directory intact): the header's SHA-256 catches it.
        var damaged = dir.File("damaged.mlxc");
        var copy = (byte[])bytes.Clone();
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++)
        {
            copy[i] ^= 0xFF;
        }

        File.WriteAllBytes(damaged, copy);
        AssertRefused<InvalidDataException>(damaged, "SHA-256");

        var foreign = dir.File("foreign.zip");
        using (var archive = ZipFile.Open(foreign, ZipArchiveMode.Create))
        {
            using var w = new StreamWriter(archive.CreateEntry("readme.txt").Open());
            w.Write("hello");
        }

        AssertRefused<InvalidDataException>(foreign, "no spec.json");

        var newer = dir.File("newer.mlxc");
        File.Copy(good, newer);
        RewriteSpec(newer, json => json.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal));
        AssertRefused<NotSupportedException>(newer, "newer MLNetExplain");

        var otherFormat = dir.File("other.mlxc");
        File.Copy(good, otherFormat);
        RewriteSpec(otherFormat, json => json.Replace(ClassifierFile.FormatName, "SomethingElse", StringComparison.Ordinal));
        AssertRefused<InvalidDataException>(otherFormat, "does not name the format");

        // A spec that does not match the weights (another width) names the first missing or misshapen tensor.
        var mismatch = dir.File("mismatch.mlxc");
        File.Copy(good, mismatch);
        RewriteSpec(mismatch, json => json.Replace("\"BaseWidth\": 16", "\"BaseWidth\": 8", StringComparison.Ordinal));
        AssertRefused<InvalidDataException>(mismatch, "the model expects");
    }

    [Fact]
    public void FailedSaveLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        using var model = TrainedLooking();
        var path = dir.File("model.mlxc");
        ClassifierFile.Save(path, model, Spec);
        var before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => ClassifierFile.Save(path, model, Spec with { NumClasses = 3 }));
        var ex = Assert.Throws<ArgumentException>(() => ClassifierFile.Save(path, model, Spec with { BaseWidth = 8 }));
        Assert.Contains("net.conv1.weight", ex.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    private static void AssertRefused<T>(string path, string expected) where T : Exception
    {
        var ex = Assert.Throws<T>(() => ClassifierFile.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    private static void RewriteSpec(string path, Func<string, string> edit)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = archive.GetEntry("spec.json")!;
        string json;
        using (var r = new StreamReader(entry.Open()))
        {
            json = r.ReadToEnd();
        }

        var edited = edit(json);
        Assert.NotEqual(json, edited);
        entry.Delete();
        using var w = new StreamWriter(archive.CreateEntry("spec.json").Open());
        w.Write(edited);
    }

    [Fact]
    public void AModelMovedToAnotherDtypeIsNotWrittenAsAFileThatCouldNotLoad()
    {
        using var dir = new TempDirectory();
        var spec = ClassifierSpec.SmallCnn(10, 1, 8);
        using var model = spec.Build(new Generator(1));
        model.to(ScalarType.Float64);
        string path = Path.Combine(dir.Path, "double.zip");
        var ex = Assert.Throws<ArgumentException>(() => ClassifierFile.Save(path, model, spec));
        Assert.Contains("dtype", ex.Message);
        Assert.False(File.Exists(path));
    }
}
