using Microsoft.Extensions.DependencyInjection;

namespace MLNetExplain.Data;

/// <summary>Registers MLNetExplain with Microsoft.Extensions.DependencyInjection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Adds a singleton <see cref="ExplainContext"/> configured by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddMLNetExplain(this IServiceCollection services, Action<ExplainContextOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ =>
        {
            var options = new ExplainContextOptions();
            configure?.Invoke(options);
            return new ExplainContext(options);
        });
        return services;
    }
}
