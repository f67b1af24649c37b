using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.ML;

namespace MLNetExplain.ML.DependencyInjection;

/// <summary>Registers MLNetExplain with Microsoft.Extensions.DependencyInjection.</summary>
/// <example>
/// <code>
/// services.AddMLNetExplain(o =&gt; o.Seed = 1)
///     .AddExplainedPredictionPool&lt;ImageInput, ExplainedPrediction&gt;("explained.zip");
/// // then inject ExplainedPredictionPool&lt;ImageInput, ExplainedPrediction&gt; and call Predict from any thread
/// </code>
/// </example>
public static class MLNetExplainServiceCollectionExtensions
{
    /// <summary>Adds a singleton <see cref="MLContext"/> configured by <paramref name="configure"/> (unless one is registered).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; null keeps the defaults.</param>
    public static IServiceCollection AddMLNetExplain(this IServiceCollection services, Action<MLNetExplainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new MLNetExplainOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(_ => new MLContext(options.Seed));
        return services;
    }

    /// <summary>
    /// Adds a singleton <see cref="ExplainedPredictionPool{TInput, TOutput}"/> over a model file saved by
    /// <c>mlContext.Model.SaveWithExplainers</c>, loaded when first resolved with the registered
    /// <see cref="MLContext"/> (added with defaults if none is registered).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="modelPath">The model file.</param>
    /// <param name="maximumIdle">Engines kept between calls; null keeps twice the processor count.</param>
    public static IServiceCollection AddExplainedPredictionPool<TInput, TOutput>(this IServiceCollection services, string modelPath, int? maximumIdle = null)
        where TInput : class
        where TOutput : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        services.AddMLNetExplain();
        services.AddSingleton(provider => new ExplainedPredictionPool<TInput, TOutput>(provider.GetRequiredService<MLContext>(), modelPath, maximumIdle));
        return services;
    }
}
