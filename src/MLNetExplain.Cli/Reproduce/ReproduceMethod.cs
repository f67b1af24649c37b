using MLNetExplain.Attribution;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// A row of the job's tables: a method's name, what it is, and how it is built over the job's models; a null
/// <see cref="Create"/> is the random ranking ROAR compares against. Methods outside the default grid run only
/// when <c>--methods</c> names them.
/// </summary>
internal sealed record ReproduceMethod(string Name, string Description, Func<ReproduceModels, ReproduceOptions, IAttributionMethod>? Create,
    bool InDefaultGrid = true)
{
    /// <summary>The random baseline (no map).</summary>
    public bool IsRandom => Create is null;

    /// <summary>The name as a file name.</summary>
    public string Slug => string.Concat(Name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')).Trim('-');
}
