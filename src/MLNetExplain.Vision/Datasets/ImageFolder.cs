using MLNetExplain.Vision.Imaging;

namespace MLNetExplain.Vision.Datasets;

/// <summary>
/// The <c>root/&lt;class&gt;/&lt;image&gt;</c> layout torchvision's <c>ImageFolder</c> popularised: each sub-folder of
/// the root is a class, and a class's label is its position among the folder names sorted ordinally, so labels do
/// not depend on the file system's enumeration order or the machine's culture.
/// </summary>
public static class ImageFolder
{
    /// <summary>File extensions taken as images (compared case-insensitively).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>Lists the images under <paramref name="root"/> without reading them.</summary>
    /// <param name="root">The folder whose sub-folders are the classes.</param>
    /// <exception cref="DirectoryNotFoundException">When the root does not exist.</exception>
    /// <remarks>
    /// Every sub-folder is a class, even an empty one, so that labels stay stable when a class has no images yet.
    /// Hidden folders and files (names starting with '.') are skipped; files in the root itself are ignored.
    /// </remarks>
    public static ImageFolderListing Scan(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Image folder root '{root}' does not exist.");
        }

        string[] classDirs = [.. Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)];
        var entries = new List<ImageFolderEntry>();
        for (int label = 0; label < classDirs.Length; label++)
        {
            IEnumerable<string> files = Directory.EnumerateFiles(classDirs[label], "*", SearchOption.AllDirectories)
                .Where(IsImage)
                .Order(StringComparer.Ordinal);
            entries.AddRange(files.Select(f => new ImageFolderEntry(Path.GetFullPath(f), label)));
        }

        return new ImageFolderListing(entries, [.. classDirs.Select(d => Path.GetFileName(d))]);
    }

    /// <summary>Decodes every image under <paramref name="root"/> into one dataset; all must have the same size.</summary>
    /// <param name="root">The folder whose sub-folders are the classes.</param>
    /// <param name="channels">Channels to decode to: 1 (grey) or 3 (RGB); the decoder converts as needed.</param>
    /// <exception cref="DirectoryNotFoundException">When the root does not exist.</exception>
    /// <exception cref="InvalidDataException">When an image is corrupt or its size differs from the first one's.</exception>
    /// <remarks>There is no resizing here: resize images beforehand, or decode them one by one with <see cref="ImageCodec"/>.</remarks>
    public static ImageDataset Load(string root, int channels = 3)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 or 3.");
        }

        ImageFolderListing listing = Scan(root);
        if (listing.Entries.Count == 0)
        {
            throw new InvalidDataException($"Image folder '{root}' holds no {string.Join("/", Extensions)} files.");
        }

        byte[]? pixels = null;
        int width = 0, height = 0, imageSize = 0;
        var labels = new int[listing.Entries.Count];
        for (int i = 0; i < listing.Entries.Count; i++)
        {
            ImageFolderEntry entry = listing.Entries[i];
            RasterImage image = ImageCodec.Decode(entry.Path, channels);
            if (pixels is null)
            {
                (width, height, imageSize) = (image.Width, image.Height, channels * image.Width * image.Height);
                pixels = new byte[(long)imageSize * listing.Entries.Count];
            }
            else if (image.Width != width || image.Height != height)
            {
                throw new InvalidDataException(
                    $"Image '{entry.Path}' is {image.Width}x{image.Height}, but the first image is {width}x{height}; " +
                    "resize the images to one size first.");
            }

            PixelLayout.ToPlanar(image.Pixels, height, width, channels, pixels.AsSpan(i * imageSize, imageSize));
            labels[i] = entry.Label;
        }

        return new ImageDataset(pixels!, labels, channels, height, width, [.. listing.ClassNames]);
    }

    private static bool IsImage(string path)
    {
        string name = Path.GetFileName(path);
        return !name.StartsWith('.') &&
               Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }
}
