namespace MLNetExplain.Datasets;

/// <summary>
/// Reads the binary versions of Krizhevsky's CIFAR-10 and CIFAR-100 (the <c>*-binary.tar.gz</c> releases, unpacked).
/// A CIFAR-10 record is 1 label byte then 3072 pixel bytes; a CIFAR-100 record is a coarse label byte, a fine label
/// byte, then the same 3072 pixel bytes. The pixels are the red, green and blue 32x32 planes in turn, row-major:
/// already the planar <c>C x H x W</c> layout of <see cref="ImageDataset"/>, so records copy over unchanged.
/// </summary>
/// <remarks>
/// No registry this project can reach ships CIFAR, so these readers serve users who have the files. When no class
/// names are given, they come from <c>batches.meta.txt</c> (CIFAR-10) or <c>fine_label_names.txt</c> /
/// <c>coarse_label_names.txt</c> (CIFAR-100) beside the data file when present.
/// </remarks>
public static class CifarReader
{
    /// <summary>Bytes of pixel data per image: 3 planes of 32x32.</summary>
    public const int ImageBytes = 3 * 32 * 32;

    /// <summary>Bytes per CIFAR-10 record: 1 label byte and the pixels.</summary>
    public const int Cifar10RecordSize = 1 + ImageBytes;

    /// <summary>Bytes per CIFAR-100 record: coarse and fine label bytes and the pixels.</summary>
    public const int Cifar100RecordSize = 2 + ImageBytes;

    /// <summary>CIFAR-10's class names in label order, used when no <c>batches.meta.txt</c> is found.</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
    [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ];

    /// <summary>Loads a split from an unpacked <c>cifar-10-batches-bin</c> directory.</summary>
    /// <param name="directory">Holds <c>data_batch_1.bin</c> to <c>data_batch_5.bin</c> and <c>test_batch.bin</c>.</param>
    /// <param name="split">Train (the five data batches, 50,000 images) or test (10,000 images).</param>
    /// <exception cref="FileNotFoundException">When a batch file is missing.</exception>
    /// <exception cref="InvalidDataException">When a file is not whole CIFAR-10 records.</exception>
    public static ImageDataset LoadCifar10(string directory, DatasetSplit split)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string[] files = split == DatasetSplit.Train
            ? [.. Enumerable.Range(1, 5).Select(i => Path.Combine(directory, $"data_batch_{i}.bin"))]
            : [Path.Combine(directory, "test_batch.bin")];
        return ReadCifar10(files);
    }

    /// <summary>Loads a split from an unpacked <c>cifar-100-binary</c> directory.</summary>
    /// <param name="directory">Holds <c>train.bin</c> and <c>test.bin</c>.</param>
    /// <param name="split">Train (50,000 images) or test (10,000 images).</param>
    /// <param name="labels">Fine (100 classes, the default) or coarse (20 superclasses) labels.</param>
    /// <exception cref="FileNotFoundException">When the file is missing.</exception>
    /// <exception cref="InvalidDataException">When the file is not whole CIFAR-100 records.</exception>
    public static ImageDataset LoadCifar100(string directory, DatasetSplit split, CifarLabelKind labels = CifarLabelKind.Fine)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string file = Path.Combine(directory, split == DatasetSplit.Train ? "train.bin" : "test.bin");
        return ReadCifar100(file, labels);
    }

    /// <summary>Reads and concatenates CIFAR-10 batch files in the order given.</summary>
    /// <param name="files">The batch files.</param>
    /// <param name="classNames">Class names; default from <c>batches.meta.txt</c> beside the first file, else <see cref="Cifar10ClassNames"/>.</param>
    /// <exception cref="FileNotFoundException">When a file is missing.</exception>
    /// <exception cref="InvalidDataException">When a file is not whole CIFAR-10 records or a label has no class.</exception>
    public static ImageDataset ReadCifar10(IEnumerable<string> files, string[]? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        string[] paths = [.. files];
        if (paths.Length == 0)
        {
            throw new ArgumentException("At least one CIFAR-10 batch file is needed.", nameof(files));
        }

        classNames ??= ReadNames(paths[0], "batches.meta.txt") ?? [.. Cifar10ClassNames];
        var parts = paths.Select(p => Parse(ReadFile(p), p, Cifar10RecordSize, 0, "CIFAR-10", classNames)).ToList();
        return Concatenate(parts, classNames);
    }

    /// <summary>Reads CIFAR-10 records from a stream to its end; the stream is left open.</summary>
    /// <param name="stream">The records.</param>
    /// <param name="name">The file name used in error messages.</param>
    /// <param name="classNames">Class names; default <see cref="Cifar10ClassNames"/>.</param>
    /// <exception cref="InvalidDataException">When the data is not whole CIFAR-10 records or a label has no class.</exception>
    public static ImageDataset ReadCifar10(Stream stream, string name, string[]? classNames = null)
    {
        classNames ??= [.. Cifar10ClassNames];
        (byte[] pixels, int[] labels) = Parse(ReadStream(stream), name, Cifar10RecordSize, 0, "CIFAR-10", classNames);
        return new ImageDataset(pixels, labels, 3, 32, 32, classNames);
    }

    /// <summary>Reads a CIFAR-100 file (<c>train.bin</c> or <c>test.bin</c>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="labels">Fine (100 classes, the default) or coarse (20 superclasses) labels.</param>
    /// <param name="classNames">Class names; default from <c>fine_label_names.txt</c> or <c>coarse_label_names.txt</c> beside the file, else the label numbers.</param>
    /// <exception cref="FileNotFoundException">When the file is missing.</exception>
    /// <exception cref="InvalidDataException">When the file is not whole CIFAR-100 records or a label has no class.</exception>
    public static ImageDataset ReadCifar100(
        string path, CifarLabelKind labels = CifarLabelKind.Fine, string[]? classNames = null)
    {
        byte[] data = ReadFile(path);
        classNames ??= ReadNames(path, labels == CifarLabelKind.Fine ? "fine_label_names.txt" : "coarse_label_names.txt");
        return ParseCifar100(data, path, labels, classNames);
    }

    /// <summary>Reads CIFAR-100 records from a stream to its end; the stream is left open.</summary>
    /// <param name="stream">The records.</param>
    /// <param name="name">The file name used in error messages.</param>
    /// <param name="labels">Fine (100 classes, the default) or coarse (20 superclasses) labels.</param>
    /// <param name="classNames">Class names; default the label numbers.</param>
    /// <exception cref="InvalidDataException">When the data is not whole CIFAR-100 records or a label has no class.</exception>
    public static ImageDataset ReadCifar100(
        Stream stream, string name, CifarLabelKind labels = CifarLabelKind.Fine, string[]? classNames = null) =>
        ParseCifar100(ReadStream(stream), name, labels, classNames);

    private static ImageDataset ParseCifar100(byte[] data, string name, CifarLabelKind labels, string[]? classNames)
    {
        int classCount = labels == CifarLabelKind.Fine ? 100 : 20;
        classNames ??= [.. Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        int labelOffset = labels == CifarLabelKind.Fine ? 1 : 0;
        (byte[] pixels, int[] parsed) = Parse(data, name, Cifar100RecordSize, labelOffset, "CIFAR-100", classNames);
        return new ImageDataset(pixels, parsed, 3, 32, 32, classNames);
    }

    private static (byte[] Pixels, int[] Labels) Parse(
        byte[] data, string name, int recordSize, int labelOffset, string format, string[] classNames)
    {
        if (data.Length % recordSize != 0)
        {
            throw new InvalidDataException(
                $"'{name}' is {data.Length} bytes, not a whole number of {recordSize}-byte {format} records " +
                $"({recordSize - ImageBytes} label byte(s) + {ImageBytes} pixel bytes): {data.Length % recordSize} " +
                "bytes are left over, so the file is truncated or not in this format.");
        }

        int count = data.Length / recordSize;
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int record = i * recordSize;
            int label = data[record + labelOffset];
            if (label >= classNames.Length)
            {
                throw new InvalidDataException(
                    $"Record {i} of '{name}' has label {label}, outside the {classNames.Length} {format} classes; " +
                    "the file is probably not in this format.");
            }

            labels[i] = label;
            data.AsSpan(record + recordSize - ImageBytes, ImageBytes).CopyTo(pixels.AsSpan(i * ImageBytes));
        }

        return (pixels, labels);
    }

    private static ImageDataset Concatenate(List<(byte[] Pixels, int[] Labels)> parts, string[] classNames)
    {
        if (parts.Count == 1)
        {
            return new ImageDataset(parts[0].Pixels, parts[0].Labels, 3, 32, 32, classNames);
        }

        var pixels = new byte[parts.Sum(p => (long)p.Pixels.Length)];
        var labels = new int[parts.Sum(p => p.Labels.Length)];
        int pixelAt = 0, labelAt = 0;
        foreach ((byte[] partPixels, int[] partLabels) in parts)
        {
            partPixels.CopyTo(pixels, pixelAt);
            partLabels.CopyTo(labels, labelAt);
            pixelAt += partPixels.Length;
            labelAt += partLabels.Length;
        }

        return new ImageDataset(pixels, labels, 3, 32, 32, classNames);
    }

    private static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"CIFAR file '{path}' does not exist.", path);
        }

        return File.ReadAllBytes(path);
    }

    private static byte[] ReadStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>One name per non-empty line of a metadata file beside the data, or null when there is none.</summary>
    private static string[]? ReadNames(string dataPath, string metaFile)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(dataPath));
        string path = Path.Combine(directory ?? ".", metaFile);
        if (!File.Exists(path))
        {
            return null;
        }

        return [.. File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0)];
    }
}
