namespace MLNetExplain.Data;

/// <summary>
/// The static shape of a schema that estimators check before any fitting (ML.NET's SchemaShape): names, kinds,
/// item types and, beyond ML.NET, vector dimensions, so an image size error surfaces before training.
/// </summary>
public sealed class SchemaShape
{
    private readonly Dictionary<string, Column> _columns;

    /// <summary>Creates a shape from columns (later ones replace earlier ones of the same name).</summary>
    public SchemaShape(IEnumerable<Column> columns)
    {
        _columns = new Dictionary<string, Column>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            _columns[c.Name] = c;
        }
    }

    /// <summary>The visible columns.</summary>
    public IReadOnlyCollection<Column> Columns => _columns.Values;

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public Column? Find(string name) => _columns.GetValueOrDefault(name);

    /// <summary>The shape of a concrete schema.</summary>
    public static SchemaShape Create(DataViewSchema schema) =>
        new(schema.Where(c => !c.IsHidden).Select(Column.From));

    /// <summary>This shape with columns added or replaced.</summary>
    public SchemaShape With(params Column[] columns) => new(Columns.Concat(columns));

    /// <summary>
    /// Checks that <paramref name="name"/> exists and satisfies <paramref name="accepts"/>; otherwise throws a
    /// <see cref="SchemaMismatchException"/> naming the column, the expected type and the stage.
    /// </summary>
    public Column Require(string name, string expected, Func<Column, bool> accepts, string stage)
    {
        var c = Find(name) ?? throw new SchemaMismatchException(stage, name, expected, "missing");
        return accepts(c) ? c : throw new SchemaMismatchException(stage, name, expected, c.ToString());
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Columns);

    /// <summary>Whether a column is a scalar, a fixed-size vector or a variable-length vector.</summary>
    public enum VectorKind
    {
        /// <summary>One value per row.</summary>
        Scalar,
        /// <summary>A fixed-size vector.</summary>
        Vector,
        /// <summary>A vector whose length varies by row.</summary>
        VariableVector,
    }

    /// <summary>One column's static shape.</summary>
    public sealed record Column(string Name, VectorKind Kind, PrimitiveDataViewType ItemType, bool IsKey,
        IReadOnlyList<int> Dimensions, IReadOnlyList<string>? KeyValues = null)
    {
        /// <summary>The shape of a concrete column.</summary>
        public static Column From(DataViewSchema.Column c) => c.Type switch
        {
            VectorDataViewType v => new Column(c.Name, v.IsKnownSize ? VectorKind.Vector : VectorKind.VariableVector,
                v.ItemType, v.ItemType is KeyDataViewType, v.Dimensions, c.Annotations.KeyValues),
            PrimitiveDataViewType p => new Column(c.Name, VectorKind.Scalar, p, p is KeyDataViewType, [], c.Annotations.KeyValues),
            _ => throw new NotSupportedException($"Column '{c.Name}' has unsupported type {c.Type}."),
        };

        /// <summary>The element count of a fixed-size vector (1 for scalars, 0 for variable length).</summary>
        public int Size => Kind switch
        {
            VectorKind.Scalar => 1,
            VectorKind.Vector => Dimensions.Aggregate(1, (a, b) => a * b),
            _ => 0,
        };

        /// <summary>The concrete type this shape describes.</summary>
        public DataViewType ToType() => Kind == VectorKind.Scalar ? ItemType : new VectorDataViewType(ItemType, [.. Dimensions]);

        /// <inheritdoc />
        public override string ToString() => Kind switch
        {
            VectorKind.Scalar => $"{Name}: {ItemType}",
            VectorKind.Vector => $"{Name}: Vector<{ItemType}, {string.Join(", ", Dimensions)}>",
            _ => $"{Name}: Vector<{ItemType}>",
        };
    }
}

/// <summary>A pipeline stage found a missing or wrongly typed column.</summary>
public sealed class SchemaMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public SchemaMismatchException(string stage, string column, string expected, string actual)
        : base($"{stage}: column '{column}' must be {expected}, but it is {actual}.")
    {
        (Stage, ColumnName, Expected, Actual) = (stage, column, expected, actual);
    }

    /// <summary>The stage that checked.</summary>
    public string Stage { get; }
    /// <summary>The column's name.</summary>
    public string ColumnName { get; }
    /// <summary>What the stage needs.</summary>
    public string Expected { get; }
    /// <summary>What it found ("missing" when absent).</summary>
    public string Actual { get; }
}
