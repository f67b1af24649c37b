using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetExplain.Models;

/// <summary>
/// The zip files of this library (classifier files, explained classifiers, training checkpoints): named entries
/// written atomically (a temporary file in the target's folder, then a move) and read with errors that name the file
/// and say what is wrong with it.
/// </summary>
internal sealed class ModelArchive : IDisposable
{
    private readonly ZipArchive zip;
    private readonly string kind;

    private ModelArchive(ZipArchive zip, string kind)
    {
        this.zip = zip;
        this.kind = kind;
    }

    /// <summary>Writes <paramref name="entries"/> to <paramref name="path"/>, replacing any file there only once all is written.</summary>
    public static void Write(string path, params Entry[] entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Write(file, entries);
                file.Flush(flushToDisk: true);
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

    /// <summary>Writes <paramref name="entries"/> as a zip to <paramref name="stream"/>, left open.</summary>
    public static void Write(Stream stream, params Entry[] entries)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, write, compression) in entries)
        {
            // Entry streams cannot seek; writers get a memory buffer.
            using var buffer = new MemoryStream();
            write(buffer);
            using var entry = archive.CreateEntry(name, compression).Open();
            buffer.Position = 0;
            buffer.CopyTo(entry);
        }
    }

    /// <summary>
    /// Opens the archive at <paramref name="path"/> and runs <paramref name="read"/> on it. Every
    /// <see cref="InvalidDataException"/> (and <see cref="JsonException"/>, as one) and <see cref="NotSupportedException"/>
    /// comes out prefixed with the kind and the file, so a user with many files knows which one failed.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What the file should be, as a noun in lower case ("classifier file").</param>
    /// <param name="read">Reads what the caller needs.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static T Read<T>(string path, string kind, Func<ModelArchive, T> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string prefix = $"{char.ToUpperInvariant(kind[0])}{kind[1..]} '{path}'";
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{prefix} does not exist.", path);
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var archive = Open(stream, kind);
            return read(archive);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            throw new InvalidDataException($"{prefix}: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"{prefix}: {e.Message}", e);
        }
    }

    /// <summary>Opens the archive held by <paramref name="stream"/> (left open).</summary>
    /// <exception cref="InvalidDataException">The stream holds no zip archive, or a truncated one.</exception>
    public static ModelArchive Open(Stream stream, string kind)
    {
        try
        {
            return new ModelArchive(new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true), kind);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"It is not a zip archive, or it is truncated ({e.Message}); an MLNetExplain {kind} is a zip archive.", e);
        }
    }

    /// <summary>The content of entry <paramref name="name"/>, which must be there.</summary>
    /// <exception cref="InvalidDataException">The entry is missing, corrupt or truncated.</exception>
    public MemoryStream Open(string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"The archive has no {name}: it is not an MLNetExplain {kind}.");
        var buffer = new MemoryStream();
        try
        {
            using var content = entry.Open();
            content.CopyTo(buffer);
        }
        catch (InvalidDataException e)
        {
            buffer.Dispose();
            throw new InvalidDataException($"{name} is corrupt or truncated: {e.Message}", e);
        }

        buffer.Position = 0;
        return buffer;
    }

    /// <summary>Entry <paramref name="name"/> read as JSON into a <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidDataException">The entry is missing, or is not JSON of that shape.</exception>
    public T Json<T>(string name) => Parse(name, json => JsonSerializer.Deserialize<T>(json))
        ?? throw new InvalidDataException($"{name} is empty.");

    /// <summary>
    /// Entry <paramref name="name"/>, a JSON object that names <paramref name="format"/> under "format" and, unless
    /// <paramref name="newestVersion"/> is null, a version up to it under "version" (either in any letter case).
    /// </summary>
    /// <exception cref="InvalidDataException">Another format, or no valid version.</exception>
    /// <exception cref="NotSupportedException">A newer version of the library wrote the file.</exception>
    public JsonObject Header(string name, string format, int? newestVersion)
    {
        var header = Parse(name, json => JsonNode.Parse(json, new JsonNodeOptions { PropertyNameCaseInsensitive = true }));
        if (header is not JsonObject o || o["format"] is not JsonValue named || !named.TryGetValue(out string? written) || written != format)
        {
            throw new InvalidDataException($"{name} does not name the format '{format}': it is not an MLNetExplain {kind}.");
        }

        if (newestVersion is not { } newest)
        {
            return o;
        }

        int version = o["version"] is JsonValue v && v.TryGetValue(out int number) ? number : -1;
        if (version > newest)
        {
            throw new NotSupportedException($"A newer MLNetExplain wrote it (format version {version}); this version reads up to {newest}. Update MLNetExplain.");
        }

        if (version < 1)
        {
            throw new InvalidDataException($"{name} has no valid format version.");
        }

        return o;
    }

    /// <inheritdoc/>
    public void Dispose() => zip.Dispose();

    private T Parse<T>(string name, Func<Stream, T> parse)
    {
        using var content = Open(name);
        try
        {
            return parse(content);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name} is corrupt: {e.Message}", e);
        }
    }

    /// <summary>One named entry and the code that writes its content.</summary>
    /// <param name="Name">The entry's name in the zip.</param>
    /// <param name="Write">Writes the content (to a seekable buffer).</param>
    /// <param name="Compression">Stored for tensors, which hardly compress; compressed for text.</param>
    public readonly record struct Entry(string Name, Action<Stream> Write, CompressionLevel Compression = CompressionLevel.Optimal);
}
