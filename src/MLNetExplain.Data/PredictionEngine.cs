using MLNetExplain.Data.Views;

namespace MLNetExplain.Data;

/// <summary>
/// Runs a fitted pipeline on one object at a time. One engine must not be used by two threads at once (the call
/// throws if it is); use one per thread or a <see cref="PredictionEnginePool{TSrc, TDst}"/>.
/// </summary>
public sealed class PredictionEngine<TSrc, TDst> where TSrc : class where TDst : class, new()
{
    private readonly OneRow _row = new();
    private readonly IDataView _output;
    private int _busy;

    internal PredictionEngine(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _output = model.Transform(new EnumerableDataView<TSrc>(_row));
    }

    /// <summary>The pipeline's output for <paramref name="example"/>.</summary>
    public TDst Predict(TSrc example)
    {
        ArgumentNullException.ThrowIfNull(example);
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException("This PredictionEngine is in use on another thread; use one engine per thread or a PredictionEnginePool.");
        }

        try
        {
            _row.Current = example;
            return RowReader<TDst>.Read(_output, reuseRowObject: false, CancellationToken.None).Single();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private sealed class OneRow : IEnumerable<TSrc>
    {
        public TSrc? Current { get; set; }

        public IEnumerator<TSrc> GetEnumerator()
        {
            yield return Current!;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>Hands each thread its own <see cref="PredictionEngine{TSrc, TDst}"/>; safe to share.</summary>
public sealed class PredictionEnginePool<TSrc, TDst> : IDisposable where TSrc : class where TDst : class, new()
{
    private readonly ThreadLocal<PredictionEngine<TSrc, TDst>> _engines;

    internal PredictionEnginePool(ITransformer model) => _engines = new(() => new PredictionEngine<TSrc, TDst>(model));

    /// <summary>The pipeline's output for <paramref name="example"/>, on this thread's engine.</summary>
    public TDst Predict(TSrc example) => _engines.Value!.Predict(example);

    /// <inheritdoc />
    public void Dispose() => _engines.Dispose();
}
