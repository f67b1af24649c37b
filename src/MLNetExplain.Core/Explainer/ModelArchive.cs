using System.IO.Compression;

namespace MLNetExplain.Explainer;

/// <summary>A zip of named entries written atomically (temporary file, then move), and read with clear errors.</summary>
internal static class ModelArchive
{
    public static void Write(string path, IReadOnlyDictionary<string, Action<Stream>> entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var zip = ZipFile.Open(temporary, ZipArchiveMode.Create))
            {
                foreach (var (name, write) in entries)
                {
                    // Entry streams cannot seek; writers get a memory buffer.
                    using var buffer = new MemoryStream();
                    write(buffer);
                    using var entry = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                    buffer.Position = 0;
                    buffer.CopyTo(entry);
                }
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Reads every entry into memory.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a zip, or lacks one of <paramref name="required"/>.</exception>
    public static Dictionary<string, byte[]> Read(string path, string kind, params string[] required)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {kind} file at '{path}'.", path);
        }

        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                entries[entry.FullName] = buffer.ToArray();
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a {kind} file (not a zip archive).", e);
        }

        var missing = required.Where(r => !entries.ContainsKey(r)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException($"'{path}' is not a {kind} file: it lacks {string.Join(", ", missing)}.");
        }

        return entries;
    }
}
