using System.Text;
using System.Text.Json;
using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;

namespace MLNetExplain.Tests.Models;

// The zip helper behind every model file and checkpoint; the formats' own tests cover their entries.
public class ModelArchiveTests
{
    private const string Kind = "test archive";

    private static ModelArchive.Entry Text(string name, string text) => new(name, s => s.Write(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void EntriesRoundTripIntoANewFolderAndHeadersMatchInEitherLetterCase()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "sub", "a.zip");
        ModelArchive.Write(path, Text("lower.json", """{"format":"F","version":2,"x":7}"""), Text("pascal.json", """{"Format":"F","Version":1}"""), Text("data.bin", "payload"));
        ModelArchive.Read(path, Kind, archive =>
        {
            Assert.Equal(7, archive.Header("lower.json", "F", 2)["x"]!.GetValue<int>());
            Assert.NotNull(archive.Header("pascal.json", "F", 1));
            using var data = archive.Open("data.bin");
            Assert.Equal("payload", Encoding.UTF8.GetString(data.ToArray()));
            return 0;
        });
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void EveryRefusalNamesTheKindAndTheFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.zip");
        ModelArchive.Write(path, Text("h.json", """{"format":"F","version":2}"""), Text("bad.json", "{"));

        void Refused<T>(Func<ModelArchive, object> read, string expected) where T : Exception
        {
            var message = Assert.Throws<T>(() => ModelArchive.Read(path, Kind, read)).Message;
            Assert.StartsWith($"Test archive '{path}': ", message);
            Assert.Contains(expected, message);
        }

        Refused<NotSupportedException>(a => a.Header("h.json", "F", 1), "newer MLNetExplain wrote it (format version 2)");
        Refused<InvalidDataException>(a => a.Header("h.json", "G", 3), "does not name the format 'G'");
        Refused<InvalidDataException>(a => a.Open("missing.bin"), "no missing.bin: it is not an MLNetExplain test archive");
        Refused<InvalidDataException>(a => a.Json<JsonElement>("bad.json"), "bad.json is corrupt");

        var missing = dir.File("missing.zip");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => ModelArchive.Read(missing, Kind, _ => 0)).Message);
        File.WriteAllText(path, "not a zip");
        Refused<InvalidDataException>(_ => 0, "not a zip archive");
    }

    [Fact]
    public void AFailingWriterLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("a.zip");
        ModelArchive.Write(path, Text("a", "old"));
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => ModelArchive.Write(path, Text("a", "new"), new("b", _ => throw new InvalidOperationException("disk full"))));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
