namespace MLNetExplain.ML.DependencyInjection;

/// <summary>Settings of the services <see cref="MLNetExplainServiceCollectionExtensions.AddMLNetExplain"/> registers.</summary>
public sealed class MLNetExplainOptions
{
    /// <summary>The seed of the registered <c>MLContext</c>; null seeds it from the clock (ML.NET's default).</summary>
    public int? Seed { get; set; }
}
