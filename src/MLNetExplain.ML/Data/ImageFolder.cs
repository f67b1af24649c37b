namespace MLNetExplain.ML.Data;

/// <summary>
/// The <c>root/&lt;class&gt;/&lt;image&gt;</c> layout torchvision's <c>ImageFolder</c> popularised: each sub-folder of
/// the root is a class, and a class's label is its position among the folder names sorted ordinally, so labels do
/// not depend on the file system's enumeration order or the machine's culture.
/// </summary>
public static class ImageFolder
{
    /// <summary>File extensions taken as images (compared case-insensitively): what ML.NET's <c>LoadImages</c> decodes.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>Lists the images under <paramref name="root"/> without reading them.</summary>
    /// <param name="root">The folder whose sub-folders are the classes.</param>
    /// <exception cref="DirectoryNotFoundException">When the root does not exist.</exception>
    /// <remarks>
    /// Every sub-folder is a class, even an empty one, so that labels stay stable when a class has no images yet.
    /// Files in nested folders belong to their top-level class folder. Hidden folders and files (names starting with
    /// '.') are skipped; files in the root itself are ignored.
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

    private static bool IsImage(string path)
    {
        string name = Path.GetFileName(path);
        return !name.StartsWith('.') && Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }
}
