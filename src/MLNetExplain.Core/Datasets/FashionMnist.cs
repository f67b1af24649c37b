namespace MLNetExplain.Datasets;

/// <summary>
/// Zalando's Fashion-MNIST: 28x28 grey images of clothing in 10 balanced classes, 60,000 for training and 10,000 for
/// testing, in MNIST's IDX format. On Debian the package <c>dataset-fashion-mnist</c> installs it (gzipped) under
/// <see cref="DefaultDirectory"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The 10 class names, indexed by label, as the dataset's authors name them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>Loads one split into a 1x28x28 <see cref="ImageDataset"/>.</summary>
    /// <param name="split">Train (60,000 images) or test (10,000 images).</param>
    /// <param name="directory">A directory with the four IDX files, gzipped or not; default <see cref="DefaultDirectory"/>.</param>
    /// <exception cref="FileNotFoundException">When a file is missing (the message says how to install it).</exception>
    /// <exception cref="InvalidDataException">When a file is malformed.</exception>
    public static ImageDataset Load(DatasetSplit split, string? directory = null) =>
        IdxSplitFiles.LoadDirectory(directory ?? DefaultDirectory, split, [.. ClassNames], "Fashion-MNIST");
}
