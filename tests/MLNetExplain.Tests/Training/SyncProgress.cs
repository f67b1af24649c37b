namespace MLNetExplain.Tests.Training;

/// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, too late for assertions).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
