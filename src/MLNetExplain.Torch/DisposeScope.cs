namespace MLNetExplain.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and frees them all
/// when disposed. Keep a result with <see cref="Tensor.MoveToOuterDisposeScope"/> (or
/// <see cref="Tensor.DetachFromDisposeScope"/> to own it yourself).
/// </summary>
/// <remarks>
/// Scopes are per thread and strictly nested: open one with <see cref="Torch.NewDisposeScope"/> in a
/// <c>using</c> statement and dispose it on the thread that opened it. Do not <c>await</c> inside a scope:
/// the continuation may run on another thread, where tensors would land in a different scope.
/// </remarks>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _disposed;

    internal DisposeScope()
    {
        Outer = t_current;
        t_current = this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>The scope that was current when this one opened.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>How many live tensors this scope owns.</summary>
    public int Count => _owned.Count;

    internal void Add(Tensor tensor) => _owned.Add(tensor);

    internal void Remove(Tensor tensor) => _owned.Remove(tensor);

    /// <summary>Frees every tensor the scope still owns and makes the outer scope current again.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException(
                "A DisposeScope must be disposed on the thread that opened it (was there an await inside it?).");
        }

        if (!ReferenceEquals(t_current, this))
        {
            throw new InvalidOperationException("DisposeScopes must be disposed innermost first.");
        }

        _disposed = true;
        t_current = Outer;
        foreach (var tensor in _owned.ToArray())
        {
            tensor.DisposeOwned();
        }

        _owned.Clear();
    }
}
