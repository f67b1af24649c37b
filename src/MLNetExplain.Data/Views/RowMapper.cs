namespace MLNetExplain.Data.Views;

/// <summary>
/// Computes new columns from the columns of the same row. Transformers that work row by row implement this and
/// are served by <see cref="MappedDataView"/>, which keeps them lazy.
/// </summary>
public abstract class RowMapper
{
    /// <summary>The columns this mapper appends.</summary>
    public abstract IReadOnlyList<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)> OutputColumns { get; }

    /// <summary>The input columns needed to compute the given outputs.</summary>
    public abstract IEnumerable<DataViewSchema.Column> GetDependencies(DataViewSchema input, IReadOnlyList<int> activeOutputs);

    /// <summary>
    /// Getters for the active outputs (index into <see cref="OutputColumns"/>; null for inactive ones), reading
    /// from <paramref name="input"/>. Called once per cursor; the getters run per row.
    /// </summary>
    public abstract Delegate?[] CreateGetters(DataViewRow input, bool[] activeOutputs);
}

/// <summary>A source view plus columns a <see cref="RowMapper"/> computes lazily, row by row.</summary>
public sealed class MappedDataView : IDataView
{
    private readonly IDataView _source;
    private readonly RowMapper _mapper;
    private readonly int _sourceCount;

    /// <summary>Creates the view; nothing is computed until a cursor moves.</summary>
    public MappedDataView(IDataView source, RowMapper mapper)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _mapper = mapper ?? throw new ArgumentNullException(nameof(mapper));
        _sourceCount = source.Schema.Count;
        Schema = source.Schema.Append(mapper.OutputColumns);
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public bool CanShuffle => _source.CanShuffle;

    /// <inheritdoc />
    public long? GetRowCount() => _source.GetRowCount();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var activeOutputs = new bool[_mapper.OutputColumns.Count];
        var outputIndices = new List<int>();
        for (var k = 0; k < activeOutputs.Length; k++)
        {
            activeOutputs[k] = needed.Contains(_sourceCount + k);
            if (activeOutputs[k])
            {
                outputIndices.Add(k);
            }
        }

        var sourceColumns = _source.Schema.Where(c => needed.Contains(c.Index))
            .Concat(_mapper.GetDependencies(_source.Schema, outputIndices))
            .DistinctBy(c => c.Index).ToList();
        var input = _source.GetRowCursor(sourceColumns, rand);
        return new Cursor(this, input, _mapper.CreateGetters(input, activeOutputs), needed);
    }

    private sealed class Cursor(MappedDataView view, DataViewRowCursor input, Delegate?[] getters, HashSet<int> active)
        : DataViewRowCursor
    {
        public override DataViewSchema Schema => view.Schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext() => input.MoveNext();

        public override ValueGetter<T> GetGetter<T>(DataViewSchema.Column column)
        {
            CheckGetter<T>(column);
            return column.Index < view._sourceCount
                ? input.GetGetter<T>(input.Schema[column.Index])
                : (ValueGetter<T>)getters[column.Index - view._sourceCount]!;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                foreach (var g in getters)
                {
                    (g?.Target as IDisposable)?.Dispose();
                }
            }
        }
    }
}
