using System.Collections;

namespace MLNetExplain.Data;

/// <summary>Fitted stages applied in order (ML.NET's TransformerChain).</summary>
public sealed class TransformerChain<TLast> : ISavableTransformer, IReadOnlyList<ITransformer>, IDisposable
    where TLast : class, ITransformer
{
    private readonly ITransformer[] _stages;

    /// <summary>Creates a chain of <paramref name="stages"/>; the last must be a <typeparamref name="TLast"/>.</summary>
    public TransformerChain(params ITransformer[] stages)
    {
        _stages = stages;
        if (stages.Length > 0 && stages[^1] is not TLast)
        {
            throw new ArgumentException($"The last stage must be a {typeof(TLast).Name}.", nameof(stages));
        }
    }

    /// <summary>The last stage (for a trainer chain, the model).</summary>
    public TLast LastTransformer => _stages.Length > 0 ? (TLast)_stages[^1] : throw new InvalidOperationException("The chain is empty.");

    /// <inheritdoc />
    public int Count => _stages.Length;

    /// <inheritdoc />
    public ITransformer this[int index] => _stages[index];

    /// <inheritdoc />
    public bool IsRowToRowMapper => _stages.All(s => s.IsRowToRowMapper);

    /// <summary>A chain with <paramref name="next"/> appended.</summary>
    public TransformerChain<TNew> Append<TNew>(TNew next) where TNew : class, ITransformer => new([.. _stages, next]);

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        _stages.Aggregate(inputSchema, (schema, stage) => stage.GetOutputSchema(schema));

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => _stages.Aggregate(input, (view, stage) => stage.Transform(view));

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        context.SetParameters(new ChainParameters(_stages.Length));
        for (var k = 0; k < _stages.Length; k++)
        {
            context.SaveChild($"stage{k}", _stages[k]);
        }
    }

    /// <summary>Reads a chain written by <see cref="Save"/>.</summary>
    public static TransformerChain<TLast> Load(ModelLoadContext context)
    {
        var count = context.GetParameters<ChainParameters>().Count;
        var stages = new List<ITransformer>();
        try
        {
            for (var k = 0; k < count; k++)
            {
                stages.Add(context.LoadChild($"stage{k}"));
            }

            return new TransformerChain<TLast>([.. stages]);
        }
        catch
        {
            foreach (var s in stages)
            {
                (s as IDisposable)?.Dispose();
            }

            throw;
        }
    }

    /// <summary>Disposes stages that hold native resources (models).</summary>
    public void Dispose()
    {
        foreach (var s in _stages)
        {
            (s as IDisposable)?.Dispose();
        }
    }

    /// <inheritdoc />
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_stages).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed record ChainParameters(int Count);
}

/// <summary>Unfitted stages fitted in order (ML.NET's EstimatorChain).</summary>
public sealed class EstimatorChain<TLast> : IEstimator<TransformerChain<TLast>> where TLast : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _stages;

    internal EstimatorChain(IEstimator<ITransformer>[] stages) => _stages = stages;

    /// <summary>A chain with <paramref name="next"/> appended.</summary>
    public EstimatorChain<TNew> Append<TNew>(IEstimator<TNew> next) where TNew : class, ITransformer => new([.. _stages, next]);

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        _stages.Aggregate(inputSchema, (shape, stage) => stage.GetOutputSchema(shape));

    /// <summary>
    /// Checks every stage's schema first (so a wrong column fails before any training), then fits each stage on
    /// the output of the previous ones.
    /// </summary>
    public TransformerChain<TLast> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var fitted = new List<ITransformer>();
        var current = input;
        try
        {
            foreach (var stage in _stages)
            {
                var t = stage.Fit(current);
                fitted.Add(t);
                current = t.Transform(current);
            }
        }
        catch
        {
            foreach (var t in fitted)
            {
                (t as IDisposable)?.Dispose();
            }

            throw;
        }

        return new TransformerChain<TLast>([.. fitted]);
    }
}

/// <summary>Chaining for single estimators (ML.NET's <c>estimator.Append(next)</c>).</summary>
public static class EstimatorExtensions
{
    /// <summary>Starts a chain: this estimator, then <paramref name="next"/>.</summary>
    public static EstimatorChain<TNew> Append<TNew>(this IEstimator<ITransformer> first, IEstimator<TNew> next)
        where TNew : class, ITransformer => new([first, next]);
}
