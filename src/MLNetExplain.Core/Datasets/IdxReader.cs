using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNetExplain.Datasets;

/// <summary>
/// Reads the IDX format of MNIST-style datasets: a 4-byte magic number (two zero bytes, a type byte where
/// <c>0x08</c> means unsigned bytes, and the number of dimensions), one big-endian 32-bit size per dimension, then
/// the data. Image files have magic <c>0x00000803</c> (count, rows, columns); label files <c>0x00000801</c> (count).
/// Files may be raw or gzip-compressed; gzip is recognised by its <c>1F 8B</c> signature, not by the file name.
/// </summary>
/// <remarks>
/// Every format error is an <see cref="InvalidDataException"/> whose message names the file and what is wrong
/// (bad magic number, truncated data, corrupt gzip, image and label counts that differ).
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    // Large reads keep the 47 MB MNIST training set to a few hundred system calls.
    private const int ReadBufferSize = 1 << 16;

    /// <summary>Reads an IDX image file, raw or gzip-compressed.</summary>
    /// <param name="path">The file to read.</param>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="InvalidDataException">When the file is not a well-formed IDX image file.</exception>
    public static IdxImages ReadImages(string path)
    {
        using FileStream file = OpenRead(path);
        return ReadImages(file, path);
    }

    /// <summary>Reads IDX images from a stream, raw or gzip-compressed; the stream is left open.</summary>
    /// <param name="stream">The stream, positioned at the start of the IDX data.</param>
    /// <param name="name">The file or entry name used in error messages.</param>
    /// <exception cref="InvalidDataException">When the data is not a well-formed IDX image file.</exception>
    public static IdxImages ReadImages(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream data = Decompressing(stream, name);
        int[] dims = ReadHeader(data, name, ImagesMagic, "image");
        (int count, int rows, int columns) = (dims[0], dims[1], dims[2]);
        if (rows == 0 || columns == 0)
        {
            throw new InvalidDataException($"IDX file '{name}' declares empty {rows}x{columns} images.");
        }

        long size = (long)count * rows * columns;
        if (size > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"IDX file '{name}' declares {count} images of {rows}x{columns}, more than one array can hold; " +
                "the header is probably corrupt.");
        }

        var pixels = new byte[size];
        ReadFully(data, pixels, name, $"{count} images of {rows}x{columns} pixels");
        return new IdxImages(count, rows, columns, pixels);
    }

    /// <summary>Reads an IDX label file, raw or gzip-compressed.</summary>
    /// <param name="path">The file to read.</param>
    /// <exception cref="FileNotFoundException">When the file does not exist.</exception>
    /// <exception cref="InvalidDataException">When the file is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using FileStream file = OpenRead(path);
        return ReadLabels(file, path);
    }

    /// <summary>Reads IDX labels from a stream, raw or gzip-compressed; the stream is left open.</summary>
    /// <param name="stream">The stream, positioned at the start of the IDX data.</param>
    /// <param name="name">The file or entry name used in error messages.</param>
    /// <exception cref="InvalidDataException">When the data is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabels(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream data = Decompressing(stream, name);
        int count = ReadHeader(data, name, LabelsMagic, "label")[0];
        var labels = new byte[count];
        ReadFully(data, labels, name, $"{count} labels");
        return labels;
    }

    /// <summary>Reads an image file and its label file into one dataset.</summary>
    /// <param name="imagesPath">The IDX image file.</param>
    /// <param name="labelsPath">The IDX label file.</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <exception cref="FileNotFoundException">When a file does not exist.</exception>
    /// <exception cref="InvalidDataException">When a file is malformed, the counts differ or a label has no class.</exception>
    public static ImageDataset ReadDataset(string imagesPath, string labelsPath, string[] classNames) =>
        Combine(ReadImages(imagesPath), imagesPath, ReadLabels(labelsPath), labelsPath, classNames);

    /// <summary>Pairs images with labels read separately, checking that they belong together.</summary>
    /// <param name="images">The images.</param>
    /// <param name="imagesName">The images' file name, for error messages.</param>
    /// <param name="labels">The labels, one byte per image.</param>
    /// <param name="labelsName">The labels' file name, for error messages.</param>
    /// <param name="classNames">Class names, indexed by label.</param>
    /// <exception cref="InvalidDataException">When the counts differ or a label has no class.</exception>
    public static ImageDataset Combine(
        IdxImages images, string imagesName, byte[] labels, string labelsName, string[] classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.Count != labels.Length)
        {
            throw new InvalidDataException(
                $"Image/label count mismatch: '{imagesName}' holds {images.Count} images but '{labelsName}' holds " +
                $"{labels.Length} labels.");
        }

        var intLabels = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classNames.Length)
            {
                throw new InvalidDataException(
                    $"Label {labels[i]} at index {i} of '{labelsName}' is outside the {classNames.Length} classes.");
            }

            intLabels[i] = labels[i];
        }

        return new ImageDataset(images.Pixels, intLabels, 1, images.Rows, images.Columns, classNames);
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferSize);
    }

    /// <summary>Sniffs the gzip signature and returns a stream of the raw IDX bytes (never closing the caller's).</summary>
    private static Stream Decompressing(Stream stream, string name)
    {
        var head = new byte[2];
        int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var replay = new PrefixedStream(head, got, stream);
        return got == 2 && head[0] == 0x1F && head[1] == 0x8B
            ? new GZipStream(replay, CompressionMode.Decompress, leaveOpen: false)
            : replay;
    }

    private static int[] ReadHeader(Stream data, string name, int expectedMagic, string kind)
    {
        var magicBytes = new byte[4];
        int got = ReadSome(data, magicBytes, name);
        if (got < 4)
        {
            throw new InvalidDataException(
                $"IDX file '{name}' is truncated: it ends after {got} bytes, before its 4-byte magic number.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(magicBytes);
        if (magic != expectedMagic)
        {
            throw new InvalidDataException(
                $"'{name}' is not an IDX {kind} file: bad magic number 0x{magic:X8}, expected 0x{expectedMagic:X8}.");
        }

        int rank = expectedMagic & 0xFF;
        var dimBytes = new byte[4 * rank];
        got = ReadSome(data, dimBytes, name);
        if (got < dimBytes.Length)
        {
            throw new InvalidDataException(
                $"IDX file '{name}' is truncated: its header needs {rank} dimension sizes but ends after {4 + got} bytes.");
        }

        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * d));
            if (dims[d] < 0)
            {
                throw new InvalidDataException($"IDX file '{name}' declares a negative size {dims[d]} in dimension {d}.");
            }
        }

        return dims;
    }

    private static void ReadFully(Stream data, byte[] buffer, string name, string what)
    {
        int got = ReadSome(data, buffer, name);
        if (got < buffer.Length)
        {
            throw new InvalidDataException(
                $"IDX file '{name}' is truncated: its header declares {what} ({buffer.Length} bytes) but only {got} " +
                "bytes follow.");
        }
    }

    /// <summary>Reads until the buffer is full or the data ends; gzip corruption is reported with the file name.</summary>
    private static int ReadSome(Stream data, byte[] buffer, string name)
    {
        try
        {
            return data.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{name}' holds corrupt gzip data: {e.Message}", e);
        }
    }
}
