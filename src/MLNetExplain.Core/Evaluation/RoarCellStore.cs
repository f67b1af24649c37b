using System.Collections.Concurrent;

namespace MLNetExplain.Evaluation;

/// <summary>An in-memory <see cref="IRoarCellStore"/>, optionally seeded with cells finished earlier.</summary>
public sealed class RoarCellStore : IRoarCellStore
{
    private readonly ConcurrentDictionary<RoarCell, double> _cells;

    /// <summary>Creates the store.</summary>
    /// <param name="finished">Cells finished earlier (e.g. read back from a checkpoint file); null for none.</param>
    public RoarCellStore(IEnumerable<KeyValuePair<RoarCell, double>>? finished = null)
    {
        _cells = new ConcurrentDictionary<RoarCell, double>(finished ?? []);
    }

    /// <summary>Every recorded cell and its accuracy.</summary>
    public IReadOnlyDictionary<RoarCell, double> Cells => _cells;

    /// <inheritdoc />
    public bool TryGet(RoarCell cell, out double accuracy) => _cells.TryGetValue(cell, out accuracy);

    /// <inheritdoc />
    public void Add(RoarCell cell, double accuracy) => _cells[cell] = accuracy;
}
