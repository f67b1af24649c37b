using MLNetExplain.Datasets;

namespace MLNetExplain.Tests.Datasets;

/// <summary>CIFAR-10/100 binary readers on record files the tests write.</summary>
public class CifarReaderTests
{
    /// <summary>A recognisable pixel value for image i, channel c, row y, column x.</summary>
    private static byte Pixel(int i, int c, int y, int x) => (byte)((i * 37 + c * 101 + y * 7 + x * 3) % 256);

    private static byte[] Records(byte[][] labelBytes)
    {
        int labelLength = labelBytes[0].Length;
        using var output = new MemoryStream();
        for (int i = 0; i < labelBytes.Length; i++)
        {
            output.Write(labelBytes[i]);
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < 32; y++)
                {
                    for (int x = 0; x < 32; x++)
                    {
                        output.WriteByte(Pixel(i, c, y, x));
                    }
                }
            }
        }

        Assert.Equal(labelBytes.Length * (labelLength + 3072), output.Length);
        return output.ToArray();
    }

    private static void AssertPlanarPixels(ImageDataset data)
    {
        Assert.Equal((3, 32, 32), (data.Channels, data.Height, data.Width));
        foreach ((int i, int c, int y, int x) in new[] { (0, 0, 0, 0), (1, 1, 2, 5), (2, 2, 31, 31), (1, 0, 17, 30) })
        {
            Assert.Equal(Pixel(i, c, y, x), data.Pixels[i * 3072 + c * 1024 + y * 32 + x]);
        }
    }

    [Fact]
    public void Cifar10LabelsAndPlanarPixels()
    {
        using var dir = new TempDirectory();
        string path = dir.File("data_batch_1.bin");
        File.WriteAllBytes(path, Records([[3], [0], [9]]));

        ImageDataset data = CifarReader.ReadCifar10([path]);

        Assert.Equal([3, 0, 9], data.Labels);
        Assert.Equal("cat", data.ClassNames[3]);
        AssertPlanarPixels(data);
    }

    [Fact]
    public void Cifar10ClassNamesComeFromBatchesMeta()
    {
        using var dir = new TempDirectory();
        string path = dir.File("test_batch.bin");
        File.WriteAllBytes(path, Records([[1]]));
        File.WriteAllLines(dir.File("batches.meta.txt"), ["zero", "one", "two", "", ""]);

        ImageDataset data = CifarReader.LoadCifar10(dir.Path, DatasetSplit.Test);

        Assert.Equal(["zero", "one", "two"], data.ClassNames);
        Assert.Equal("one", data.ClassNames[data.Labels[0]]);
    }

    [Fact]
    public void Cifar10TrainConcatenatesFiveBatches()
    {
        using var dir = new TempDirectory();
        for (int b = 1; b <= 5; b++)
        {
            File.WriteAllBytes(dir.File($"data_batch_{b}.bin"), Records([[(byte)b], [(byte)(b + 1)]]));
        }

        ImageDataset data = CifarReader.LoadCifar10(dir.Path, DatasetSplit.Train);

        Assert.Equal([1, 2, 2, 3, 3, 4, 4, 5, 5, 6], data.Labels);
        // Image 2 is the first record of batch 2, written with image index 0.
        Assert.Equal(Pixel(0, 2, 4, 4), data.Pixels[2 * 3072 + 2 * 1024 + 4 * 32 + 4]);
    }

    [Fact]
    public void Cifar100FineOrCoarse()
    {
        using var dir = new TempDirectory();
        string path = dir.File("train.bin");
        File.WriteAllBytes(path, Records([[4, 72], [19, 99], [0, 3]]));
        File.WriteAllLines(dir.File("coarse_label_names.txt"), Enumerable.Range(0, 20).Select(i => $"super{i}"));

        ImageDataset fine = CifarReader.LoadCifar100(dir.Path, DatasetSplit.Train);
        ImageDataset coarse = CifarReader.ReadCifar100(path, CifarLabelKind.Coarse);

        Assert.Equal([72, 99, 3], fine.Labels);
        Assert.Equal(100, fine.ClassCount);
        Assert.Equal("72", fine.ClassNames[72]);
        Assert.Equal([4, 19, 0], coarse.Labels);
        Assert.Equal("super19", coarse.ClassNames[19]);
        AssertPlanarPixels(fine);
        AssertPlanarPixels(coarse);
    }

    [Fact]
    public void StreamsAreReadToTheEnd()
    {
        using var stream = new MemoryStream(Records([[5], [6]]));
        ImageDataset data = CifarReader.ReadCifar10(stream, "in-memory");
        Assert.Equal([5, 6], data.Labels);
    }

    [Fact]
    public void PartialRecordNamesFileAndRecordSize()
    {
        using var dir = new TempDirectory();
        string path = dir.File("cut.bin");
        File.WriteAllBytes(path, Records([[1], [2]])[..(2 * 3073 - 10)]);
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar10([path]));
        Assert.Contains(path, e.Message);
        Assert.Contains("3073", e.Message);
    }

    [Fact]
    public void Cifar100FileReadAsCifar10IsRejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("train.bin");
        File.WriteAllBytes(path, Records([[0, 50], [1, 60], [2, 70]]));
        // 3 x 3074 bytes is not a multiple of 3073.
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar10([path]));
        Assert.Contains("CIFAR-10", e.Message);
    }

    [Fact]
    public void LabelOutsideClassesIsRejected()
    {
        using var stream = new MemoryStream(Records([[10]]));
        var e = Assert.Throws<InvalidDataException>(() => CifarReader.ReadCifar10(stream, "bad-labels"));
        Assert.Contains("bad-labels", e.Message);
        Assert.Contains("label 10", e.Message);
    }
}
