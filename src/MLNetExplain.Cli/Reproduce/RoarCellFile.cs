using System.Text.Json;
using MLNetExplain.Evaluation;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// ROAR's finished cells in a JSON file (cell key to accuracy), rewritten atomically after every cell, so a stopped
/// run resumes without retraining them. Cells are keyed by method, mode, ratio and seed; the job's settings
/// fingerprint guards the folder against reuse with other settings.
/// </summary>
internal sealed class RoarCellFile : IRoarCellStore
{
    private readonly string _path;
    private readonly Dictionary<string, double> _cells;
    private readonly Lock _gate = new();

    public RoarCellFile(string path)
    {
        _path = path;
        _cells = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(path)) ?? []
            : [];
    }

    /// <summary>How many cells are on file.</summary>
    public int Count => _cells.Count;

    /// <inheritdoc />
    public bool TryGet(RoarCell cell, out double accuracy)
    {
        lock (_gate)
        {
            return _cells.TryGetValue(cell.Key, out accuracy);
        }
    }

    /// <inheritdoc />
    public void Add(RoarCell cell, double accuracy)
    {
        lock (_gate)
        {
            _cells[cell.Key] = accuracy;
            var temporary = _path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(_cells, new JsonSerializerOptions { WriteIndented = true }), System.Text.Encoding.UTF8);
            File.Move(temporary, _path, overwrite: true);
        }
    }
}
