namespace MLNetExplain.Tests;

/// <summary>
/// Tests that measure the process's resident memory: run alone, since tests of other classes running in parallel
/// change the same number.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement";
}
