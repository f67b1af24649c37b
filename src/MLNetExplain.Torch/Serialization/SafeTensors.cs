using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNetExplain.Torch.Serialization;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
/// header mapping names to dtype, shape and [begin, end) byte offsets into the data section, then the
/// row-major little-endian data. Files interoperate with Python's <c>safetensors.torch</c>.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    // Guards against absurd header lengths in corrupt files before allocating (the reference limit is 100 MB).
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Writes tensors (copied to the CPU) to <paramref name="path"/> atomically: the data goes to a temporary
    /// file in the same folder that replaces the target only when complete.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Write(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Writes tensors in safetensors layout to a stream (names sorted, as the reference writer does).</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata)
            {
                meta[k] = v;
            }

            header[MetadataKey] = meta;
        }

        var names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            var bytes = t.Numel * t.Type.ElementSize();
            header[name] = new JsonObject
            {
                ["dtype"] = DtypeName(t.Type, name),
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        var json = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        // Pad the header with spaces to an 8-byte boundary so the data section stays aligned.
        var padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (var k = json.Length; k < padded; k++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (var name in names)
        {
            var t = tensors[name];
            var buffer = new byte[t.Numel * t.Type.ElementSize()];
            t.CopyBytes(buffer);
            stream.Write(buffer);
        }
    }

    /// <summary>Loads every tensor of a safetensors file; the caller owns the returned tensors.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = OpenRead(path);
        return Read(stream, path).Tensors;
    }

    /// <summary>Reads the <c>__metadata__</c> entries of a safetensors file.</summary>
    public static Dictionary<string, string> LoadMetadata(string path)
    {
        using var stream = OpenRead(path);
        return Read(stream, path, readData: false).Metadata;
    }

    /// <summary>
    /// Reads tensors and metadata from a stream. Any structural problem (short file, bad JSON, unknown dtype,
    /// offsets out of range or not matching the shape) raises <see cref="InvalidDataException"/> naming
    /// <paramref name="source"/>, and no tensor is returned.
    /// </summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(Stream stream,
        string source = "stream", bool readData = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
        {
            throw Corrupt(source, "the file is shorter than the 8-byte header length");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (stream.CanSeek && (long)headerLength > stream.Length - 8))
        {
            throw Corrupt(source, $"the header length {headerLength} exceeds the file");
        }

        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
        {
            throw Corrupt(source, "the header is truncated");
        }

        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject ?? throw Corrupt(source, "the header is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Invalid safetensors file '{source}': the header is not valid JSON ({ex.Message}).", ex);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
        foreach (var (name, node) in header)
        {
            if (name == MetadataKey)
            {
                foreach (var (k, v) in node as JsonObject ?? throw Corrupt(source, "__metadata__ is not an object"))
                {
                    metadata[k] = v?.GetValue<string>() ?? "";
                }

                continue;
            }

            entries.Add(ParseEntry(name, node, source));
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (!readData)
        {
            return (tensors, metadata);
        }

        var dataLength = entries.Count == 0 ? 0 : entries.Max(e => e.End);
        var data = new byte[dataLength];
        if (stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length)
        {
            throw Corrupt(source, $"the data section is truncated (needs {dataLength} bytes)");
        }

        try
        {
            foreach (var e in entries)
            {
                tensors[e.Name] = Tensor.FromBytes(data.AsSpan((int)e.Begin, (int)(e.End - e.Begin)), e.Shape, e.Type)
                    .DetachFromDisposeScope();
            }
        }
        catch
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }

            throw;
        }

        return (tensors, metadata);
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    private static (string, ScalarType, long[], long, long) ParseEntry(string name, JsonNode? node, string source)
    {
        try
        {
            var o = node as JsonObject ?? throw Corrupt(source, $"entry '{name}' is not an object");
            var type = ParseDtype(o["dtype"]?.GetValue<string>(), name, source);
            var shape = (o["shape"] as JsonArray ?? throw Corrupt(source, $"entry '{name}' has no shape"))
                .Select(v => v!.GetValue<long>()).ToArray();
            var offsets = o["data_offsets"] as JsonArray ?? throw Corrupt(source, $"entry '{name}' has no data_offsets");
            if (offsets.Count != 2)
            {
                throw Corrupt(source, $"entry '{name}' needs two data_offsets");
            }

            var begin = offsets[0]!.GetValue<long>();
            var end = offsets[1]!.GetValue<long>();
            var expected = shape.Aggregate(1L, (a, b) => b < 0 ? throw Corrupt(source, $"entry '{name}' has a negative size") : checked(a * b))
                * type.ElementSize();
            if (begin < 0 || end < begin || end - begin != expected || end > int.MaxValue)
            {
                throw Corrupt(source, $"entry '{name}' spans bytes [{begin}, {end}) but its shape needs {expected}");
            }

            return (name, type, shape, begin, end);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"Invalid safetensors file '{source}': entry '{name}' is malformed ({ex.Message}).", ex);
        }
    }

    private static string DtypeName(ScalarType type, string name) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.UInt8 => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"Tensor '{name}' has type {type}, which safetensors export does not support."),
    };

    private static ScalarType ParseDtype(string? dtype, string name, string source) => dtype switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "U8" => ScalarType.UInt8,
        "BOOL" => ScalarType.Bool,
        _ => throw Corrupt(source, $"entry '{name}' has unsupported dtype '{dtype}'"),
    };

    private static InvalidDataException Corrupt(string source, string what) =>
        new($"Invalid safetensors file '{source}': {what}.");
}
