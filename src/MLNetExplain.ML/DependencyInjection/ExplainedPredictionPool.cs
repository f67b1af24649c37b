using System.Collections.Concurrent;
using Microsoft.ML;
using MLNetExplain.ML.Persistence;

namespace MLNetExplain.ML.DependencyInjection;

/// <summary>
/// Thread-safe predictions with a fitted pipeline (MLNetExplain stages included): ML.NET's
/// <see cref="PredictionEngine{TSrc, TDst}"/> serves one thread at a time, so each call borrows an engine from a
/// pool and returns it. Engines share the pipeline and its TorchSharp models; attribution stages give an image the
/// same map whichever engine serves it.
/// </summary>
/// <typeparam name="TInput">The input row class (columns of the pipeline's input schema).</typeparam>
/// <typeparam name="TOutput">The output row class.</typeparam>
public sealed class ExplainedPredictionPool<TInput, TOutput> : IDisposable
    where TInput : class
    where TOutput : class, new()
{
    private readonly MLContext _mlContext;
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly bool _ownsModel;
    private readonly ConcurrentBag<PredictionEngine<TInput, TOutput>> _idle = [];
    private readonly int _maximumIdle;
    private bool _disposed;

    /// <summary>A pool over a model file saved by <c>mlContext.Model.SaveWithExplainers</c>; the pool owns the loaded pipeline.</summary>
    /// <param name="mlContext">The context engines are created with.</param>
    /// <param name="modelPath">The model file.</param>
    /// <param name="maximumIdle">Engines kept between calls; more are created under load and dropped after.</param>
    public ExplainedPredictionPool(MLContext mlContext, string modelPath, int? maximumIdle = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        _mlContext = mlContext;
        _model = mlContext.Model.LoadWithExplainers(modelPath, out _inputSchema);
        _ownsModel = true;
        _maximumIdle = CheckMaximum(maximumIdle);
    }

    /// <summary>A pool over a fitted pipeline in memory, which stays the caller's.</summary>
    /// <param name="mlContext">The context engines are created with.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema it was fitted on.</param>
    /// <param name="maximumIdle">Engines kept between calls; more are created under load and dropped after.</param>
    public ExplainedPredictionPool(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, int? maximumIdle = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        (_mlContext, _model, _inputSchema) = (mlContext, model, inputSchema);
        _maximumIdle = CheckMaximum(maximumIdle);
    }

    /// <summary>The pipeline's output for <paramref name="example"/>; safe to call from many threads at once.</summary>
    public TOutput Predict(TInput example)
    {
        ArgumentNullException.ThrowIfNull(example);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_idle.TryTake(out var engine))
        {
            engine = _mlContext.Model.CreatePredictionEngine<TInput, TOutput>(_model, _inputSchema);
        }

        try
        {
            return engine.Predict(example);
        }
        finally
        {
            // Surplus engines are dropped, never disposed: PredictionEngine.Dispose disposes the pipeline it runs,
            // which all engines share.
            if (_idle.Count < _maximumIdle && !_disposed)
            {
                _idle.Add(engine);
            }
        }
    }

    /// <summary>Drops the idle engines and, for a pool over a model file, frees the loaded pipeline.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _idle.Clear();
        if (_ownsModel)
        {
            (_model as IDisposable)?.Dispose();
        }
    }

    private static int CheckMaximum(int? maximumIdle)
    {
        var maximum = maximumIdle ?? Environment.ProcessorCount * 2;
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, 1, nameof(maximumIdle));
        return maximum;
    }
}
