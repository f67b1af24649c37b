using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNetExplain.Evaluation;

/// <summary>
/// An <see cref="IRoarCellStore"/> kept in a JSON file: finished cells are read back when the file exists, and the
/// file is rewritten atomically (a temporary file moved over it) after every new cell, so a ROAR/KAR grid stopped at
/// any moment resumes from its last finished cell.
/// </summary>
public sealed class RoarCellFile : IRoarCellStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
    private readonly RoarCellStore _cells;
    private readonly object _gate = new();

    /// <summary>Opens (or starts) the file.</summary>
    /// <param name="path">The JSON file; created on the first finished cell.</param>
    /// <exception cref="InvalidDataException">The file exists but is not a cell list.</exception>
    public RoarCellFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        List<Entry>? entries = null;
        if (File.Exists(Path))
        {
            try
            {
                entries = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(Path), Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{Path} is not a ROAR cell file: {e.Message}", e);
            }
        }

        _cells = new RoarCellStore((entries ?? []).Select(e => new KeyValuePair<RoarCell, double>(new RoarCell(e.Method, e.Mode, e.Ratio, e.Seed), e.Accuracy)));
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Every recorded cell and its accuracy.</summary>
    public IReadOnlyDictionary<RoarCell, double> Cells => _cells.Cells;

    /// <inheritdoc />
    public bool TryGet(RoarCell cell, out double accuracy) => _cells.TryGet(cell, out accuracy);

    /// <inheritdoc />
    public void Add(RoarCell cell, double accuracy)
    {
        lock (_gate)
        {
            _cells.Add(cell, accuracy);
            var entries = _cells.Cells.OrderBy(c => c.Key.Key, StringComparer.Ordinal)
                .Select(c => new Entry(c.Key.Method, c.Key.Mode, c.Key.Ratio, c.Key.Seed, c.Value)).ToList();
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            string temporary = Path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(entries, Json));
            File.Move(temporary, Path, overwrite: true);
        }
    }

    private sealed record Entry(string Method, RoarMode Mode, double Ratio, long Seed, double Accuracy);
}
