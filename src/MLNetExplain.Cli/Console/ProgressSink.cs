namespace MLNetExplain.Cli.Console;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls back on the reporting thread at once; <see cref="Progress{T}"/> would
/// post to a thread pool and could print after the stage has finished.
/// </summary>
internal sealed class ProgressSink<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
