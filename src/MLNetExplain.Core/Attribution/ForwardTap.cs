using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// One permanent forward hook per module that passes the module's output to the handler the calling thread has
/// attached, if any. Methods that read or replace a layer's output attach a handler for one forward pass.
/// </summary>
/// <remarks>
/// TorchSharp enumerates a module's hook table on every call without a lock, so registering or removing a hook
/// while another thread runs the same module throws "Collection was modified" in that thread. Pipeline cursors and
/// pooled PredictionEngines run one model on several threads, so the hook table may only change once per module:
/// the tap is installed the first time and never removed, and the per-call handlers live in a concurrent table
/// keyed by thread. Methods install their taps in their constructors, before any concurrent use.
/// </remarks>
internal sealed class ForwardTap
{
    private static readonly ConditionalWeakTable<nn.Module, ForwardTap> Taps = new();
    private static readonly object Installing = new();

    private readonly ConcurrentDictionary<int, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>> _handlers = new();

    private ForwardTap()
    {
    }

    /// <summary>The tap on <paramref name="module"/>, installed on first use.</summary>
    public static ForwardTap On(nn.Module<Tensor, Tensor> module)
    {
        lock (Installing)
        {
            if (!Taps.TryGetValue(module, out var tap))
            {
                tap = new ForwardTap();
                module.register_forward_hook(tap.Dispatch);
                Taps.Add(module, tap);
            }

            return tap;
        }
    }

    /// <summary>
    /// Hands this module's outputs on the calling thread to <paramref name="handler"/> (which returns the output to
    /// use) until the result is disposed; other threads' calls are not affected.
    /// </summary>
    /// <exception cref="InvalidOperationException">The calling thread already has a handler on this module.</exception>
    public IDisposable Attach(Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor> handler)
    {
        int thread = Environment.CurrentManagedThreadId;
        if (!_handlers.TryAdd(thread, handler))
        {
            throw new InvalidOperationException("This thread is already reading this module's output for another method; attribution methods on one thread run one at a time.");
        }

        return new Detach(_handlers, thread);
    }

    private Tensor Dispatch(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output) =>
        _handlers.TryGetValue(Environment.CurrentManagedThreadId, out var handler)
            ? handler(module, input, output)
            : output;

    private sealed class Detach(ConcurrentDictionary<int, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>> handlers, int thread) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                handlers.TryRemove(thread, out _);
            }
        }
    }
}
