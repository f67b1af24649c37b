using System.Diagnostics;
using MLNetExplain.Datasets;

namespace MLNetExplain.Tests.Datasets;

/// <summary>Loads both Fashion-MNIST splits once for all tests in <see cref="FashionMnistTests"/>.</summary>
public sealed class FashionMnistFixture
{
    public FashionMnistFixture()
    {
        var watch = Stopwatch.StartNew();
        Train = FashionMnist.Load(DatasetSplit.Train);
        Test = FashionMnist.Load(DatasetSplit.Test);
        LoadTime = watch.Elapsed;
    }

    public ImageDataset Train { get; }

    public ImageDataset Test { get; }

    public TimeSpan LoadTime { get; }
}

/// <summary>The real Fashion-MNIST from Debian's dataset-fashion-mnist package.</summary>
public class FashionMnistTests(FashionMnistFixture data) : IClassFixture<FashionMnistFixture>
{
    [Fact]
    public void SplitsHaveTheDocumentedSizes()
    {
        Assert.Equal(60000, data.Train.Count);
        Assert.Equal(10000, data.Test.Count);
        foreach (ImageDataset split in new[] { data.Train, data.Test })
        {
            Assert.Equal((1, 28, 28), (split.Channels, split.Height, split.Width));
            Assert.Equal(split.Count * 784L, split.Pixels.LongLength);
        }
    }

    [Fact]
    public void ClassesAreBalanced()
    {
        Assert.All(data.Train.CountPerClass(), n => Assert.Equal(6000, n));
        Assert.All(data.Test.CountPerClass(), n => Assert.Equal(1000, n));
    }

    [Fact]
    public void FirstImagesAreAnkleBoots()
    {
        Assert.Equal(9, data.Train.Labels[0]);
        Assert.Equal(9, data.Test.Labels[0]);
        Assert.Equal("Ankle boot", data.Train.ClassNames[data.Train.Labels[0]]);
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            data.Train.ClassNames);
    }

    [Fact]
    public void PixelsLookLikeImages()
    {
        // Fashion-MNIST items sit centred on a black background: corners dark, centre mostly lit.
        ReadOnlySpan<byte> first = data.Train.GetImage(0);
        Assert.Equal(0, first[0]);
        Assert.Equal(0, first[783]);
        double mean = data.Train.Pixels.Average(b => (double)b);
        Assert.InRange(mean, 60, 90); // the published training mean is 0.286 * 255 = 72.9
    }

    [Fact]
    public void LoadingBothSplitsIsFast()
    {
        // One decompression into one array; generous bound so a busy CI machine does not flake.
        Assert.True(data.LoadTime < TimeSpan.FromSeconds(5), $"Loading took {data.LoadTime.TotalSeconds:F2} s.");
    }

    [Fact]
    public void SliceCopiesConsecutiveImages()
    {
        ImageDataset slice = data.Test.Slice(10, 5);
        Assert.Equal(5, slice.Count);
        Assert.Equal(data.Test.Labels[10..15], slice.Labels);
        Assert.True(slice.GetImage(0).SequenceEqual(data.Test.GetImage(10)));
    }

    [Fact]
    public void MissingDirectoryPointsToSetup()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(DatasetSplit.Test, dir.Path));
        Assert.Contains(".ci/setup", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
    }
}
