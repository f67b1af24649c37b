namespace MLNetExplain.Training;

/// <summary>
/// Derives the seed of each epoch's random streams from the run's seed, so that an epoch's draws do not depend on
/// the epochs before it: a run resumed from a checkpoint then draws exactly what the uninterrupted run drew.
/// </summary>
internal static class TrainingSeeds
{
    /// <summary>A seed for (run seed, epoch, stream); streams separate shuffling from attack or noise draws.</summary>
    public static ulong ForEpoch(long seed, int epoch, int stream)
    {
        // SplitMix64 finaliser over the combined value: nearby inputs give unrelated seeds.
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL + (ulong)stream * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
