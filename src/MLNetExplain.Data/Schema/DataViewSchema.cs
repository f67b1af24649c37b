using System.Collections;

namespace MLNetExplain.Data;

/// <summary>
/// The ordered, named, typed columns of a data view (ML.NET's DataViewSchema). When two columns share a name
/// the later one wins lookups and the earlier is hidden.
/// </summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);

    private DataViewSchema(IEnumerable<(string Name, DataViewType Type, Annotations? Annotations)> columns)
    {
        var list = columns.ToList();
        for (var k = 0; k < list.Count; k++)
        {
            _byName[list[k].Name] = k;
        }

        _columns = list.Select((c, k) => new Column(c.Name, k, _byName[c.Name] != k, c.Type, c.Annotations ?? Annotations.Empty)).ToArray();
    }

    /// <summary>The number of columns, hidden ones included.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at <paramref name="index"/>.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>The visible column named <paramref name="name"/>; throws naming the available columns if none.</summary>
    public Column this[string name] => GetColumnOrNull(name) ??
        throw new ArgumentOutOfRangeException(nameof(name),
            $"Column '{name}' not found; the schema has: {string.Join(", ", _columns.Where(c => !c.IsHidden).Select(c => $"{c.Name} ({c.Type})"))}.");

    /// <summary>The visible column named <paramref name="name"/>, or null.</summary>
    public Column? GetColumnOrNull(string name) => _byName.TryGetValue(name, out var k) ? _columns[k] : null;

    /// <inheritdoc />
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Creates a schema from column definitions.</summary>
    public static DataViewSchema Create(IEnumerable<(string Name, DataViewType Type, Annotations? Annotations)> columns) => new(columns);

    /// <summary>This schema followed by <paramref name="added"/> columns (which hide same-named earlier ones).</summary>
    public DataViewSchema Append(IEnumerable<(string Name, DataViewType Type, Annotations? Annotations)> added) =>
        new(_columns.Select(c => (c.Name, c.Type, (Annotations?)c.Annotations)).Concat(added));

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _columns.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}"));

    /// <summary>One column: name, position, type and annotations.</summary>
    public sealed record Column(string Name, int Index, bool IsHidden, DataViewType Type, Annotations Annotations)
    {
        /// <inheritdoc />
        public override string ToString() => $"{Name}: {Type}";
    }

    /// <summary>Builds a schema column by column (ML.NET's DataViewSchema.Builder).</summary>
    public sealed class Builder
    {
        private readonly List<(string, DataViewType, Annotations?)> _columns = [];

        /// <summary>Adds a column.</summary>
        public Builder AddColumn(string name, DataViewType type, Annotations? annotations = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            _columns.Add((name, type, annotations));
            return this;
        }

        /// <summary>The schema.</summary>
        public DataViewSchema ToSchema() => new(_columns);
    }

    /// <summary>
    /// Named metadata on a column (ML.NET's annotations): <see cref="KeyValuesKind"/> holds class names of a key
    /// column, <see cref="SlotNamesKind"/> names the slots of a vector.
    /// </summary>
    public sealed class Annotations
    {
        /// <summary>The annotation kind holding class names for key columns.</summary>
        public const string KeyValuesKind = "KeyValues";

        /// <summary>The annotation kind naming vector slots.</summary>
        public const string SlotNamesKind = "SlotNames";

        private readonly Dictionary<string, string[]> _values;

        private Annotations(Dictionary<string, string[]> values) => _values = values;

        /// <summary>No annotations.</summary>
        public static Annotations Empty { get; } = new(new Dictionary<string, string[]>());

        /// <summary>Annotations with class names for a key column.</summary>
        public static Annotations WithKeyValues(IEnumerable<string> classNames) =>
            new(new Dictionary<string, string[]> { [KeyValuesKind] = classNames.ToArray() });

        /// <summary>The kinds present.</summary>
        public IEnumerable<string> Kinds => _values.Keys;

        /// <summary>The values of one kind, or null.</summary>
        public IReadOnlyList<string>? Get(string kind) => _values.TryGetValue(kind, out var v) ? v : null;

        /// <summary>Class names of a key column, or null.</summary>
        public IReadOnlyList<string>? KeyValues => Get(KeyValuesKind);

        /// <summary>These annotations plus one more kind.</summary>
        public Annotations With(string kind, IEnumerable<string> values) =>
            new(new Dictionary<string, string[]>(_values) { [kind] = values.ToArray() });
    }
}
