using System.Buffers.Binary;
using System.IO.Compression;
using MLNetExplain.Datasets;

namespace MLNetExplain.Tests.Datasets;

/// <summary>IDX parsing on files the tests write: raw and gzip, and every kind of damage.</summary>
public class IdxReaderTests
{
    private static readonly string[] ThreeClasses = ["a", "b", "c"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsRawOrGzipped(bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] pixels = [.. Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7))];
        string images = Write(dir.File("img"), ImagesFile(2, 3, 4, pixels), gzip);
        string labels = Write(dir.File("lbl"), LabelsFile([2, 0]), gzip);

        ImageDataset data = IdxReader.ReadDataset(images, labels, ThreeClasses);

        Assert.Equal((2, 1, 3, 4), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal(pixels, data.Pixels);
        Assert.Equal([2, 0], data.Labels);
        Assert.Equal(pixels[12..], data.GetImage(1).ToArray());
    }

    [Fact]
    public void BadMagicNamesTheFile()
    {
        using var dir = new TempDirectory();
        string path = Write(dir.File("labels-as-images"), LabelsFile([1, 2]), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
        Assert.Contains("0x00000801", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedPixelsNameTheFile(bool gzip)
    {
        using var dir = new TempDirectory();
        byte[] whole = ImagesFile(10, 28, 28, new byte[10 * 28 * 28]);
        string path = Write(dir.File("short"), whole[..(whole.Length - 100)], gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedHeaderNamesTheFile()
    {
        using var dir = new TempDirectory();
        string path = Write(dir.File("stub"), ImagesFile(1, 2, 2, new byte[4])[..9], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void CorruptGzipNamesTheFile()
    {
        using var dir = new TempDirectory();
        byte[] bytes = Gzip(LabelsFile(new byte[1000]));
        bytes.AsSpan(12, 8).Fill(0xFF); // wreck the deflate stream after the gzip header
        string path = Write(dir.File("corrupt.gz"), bytes, gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedGzipNamesTheFile()
    {
        using var dir = new TempDirectory();
        byte[] bytes = Gzip(ImagesFile(50, 28, 28, [.. Enumerable.Range(0, 50 * 784).Select(i => (byte)(i * 31 % 251))]));
        string path = Write(dir.File("cut.gz"), bytes[..(bytes.Length / 2)], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        using var dir = new TempDirectory();
        string images = Write(dir.File("img"), ImagesFile(3, 2, 2, new byte[12]), gzip: false);
        string labels = Write(dir.File("lbl"), LabelsFile([0, 1]), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, ThreeClasses));
        Assert.Contains("mismatch", e.Message);
        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public void LabelWithoutClassIsRejected()
    {
        using var dir = new TempDirectory();
        string images = Write(dir.File("img"), ImagesFile(1, 1, 1, [0]), gzip: false);
        string labels = Write(dir.File("lbl"), LabelsFile([7]), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, ThreeClasses));
        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public void ReadsFromANonSeekableStream()
    {
        using var stream = new NonSeekableStream(Gzip(LabelsFile([4, 5, 6])));
        Assert.Equal([4, 5, 6], IdxReader.ReadLabels(stream, "stream"));
    }

    internal static byte[] ImagesFile(int count, int rows, int columns, byte[] pixels)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    internal static byte[] LabelsFile(byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static string Write(string path, byte[] bytes, bool gzip)
    {
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
