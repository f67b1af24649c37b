namespace MLNetExplain.Benchmarks;

/// <summary>Timing samples of one side (ours or the Python peer) by key, pooled over rounds.</summary>
internal sealed class Samples
{
    private readonly Dictionary<string, List<double>> _byKey = [];

    public void Add(string key, double value) => List(key).Add(value);

    public void AddRange(string key, IEnumerable<double> values) => List(key).AddRange(values);

    public void Merge(Samples other)
    {
        foreach (var (key, values) in other._byKey)
        {
            AddRange(key, values);
        }
    }

    /// <summary>The median of the pooled samples of <paramref name="key"/>, or null when there are none.</summary>
    public double? Median(string? key) =>
        key is not null && _byKey.TryGetValue(key, out var v) && v.Count > 0 ? Report.Median(v) : null;

    public int Count(string key) => _byKey.TryGetValue(key, out var v) ? v.Count : 0;

    private List<double> List(string key)
    {
        if (!_byKey.TryGetValue(key, out var list))
        {
            _byKey[key] = list = [];
        }

        return list;
    }
}
