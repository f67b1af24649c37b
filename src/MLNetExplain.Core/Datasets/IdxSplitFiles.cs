namespace MLNetExplain.Datasets;

/// <summary>
/// The file naming LeCun's MNIST release started and Fashion-MNIST kept as a drop-in replacement:
/// <c>{train|t10k}-{images-idx3|labels-idx1}-ubyte</c>, optionally with <c>.gz</c>.
/// </summary>
internal static class IdxSplitFiles
{
    internal const string SetupHint = "Run `.ci/setup` from the MLNetExplain repository (as root) to install the datasets.";

    internal static string ImagesName(DatasetSplit split) => $"{Prefix(split)}-images-idx3-ubyte";

    internal static string LabelsName(DatasetSplit split) => $"{Prefix(split)}-labels-idx1-ubyte";

    /// <summary>Loads one split from a directory holding the four files, gzipped or not.</summary>
    internal static ImageDataset LoadDirectory(string directory, DatasetSplit split, string[] classNames, string dataset)
    {
        string images = Find(directory, ImagesName(split), dataset);
        string labels = Find(directory, LabelsName(split), dataset);
        return IdxReader.ReadDataset(images, labels, classNames);
    }

    /// <summary>Whether a file name (with any directory part) is the given IDX file, gzipped or not.</summary>
    internal static bool Matches(string entryName, string idxName)
    {
        string file = Path.GetFileName(entryName);
        return file == idxName || file == idxName + ".gz";
    }

    private static string Find(string directory, string idxName, string dataset)
    {
        foreach (string candidate in new[] { idxName + ".gz", idxName })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        string where = Path.Combine(directory, idxName);
        throw new FileNotFoundException(
            $"{dataset} file '{where}[.gz]' was not found. {SetupHint}", where);
    }

    private static string Prefix(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Test => "t10k",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };
}
