using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch;

/// <summary>
/// A managed gradient hook attached to one tensor. libtorch tells us when it drops the hook (the tensor's
/// graph node died), and the managed function and any state it owns are released then. Disposing the
/// handle earlier turns the hook into a pass-through.
/// </summary>
public sealed class GradientHook : IDisposable
{
    private static readonly ConcurrentDictionary<long, Entry> s_hooks = new();
    private static long s_nextKey;
    private readonly long _key;

    private GradientHook(long key) => _key = key;

    /// <summary>How many hooks are currently alive in native code (for leak tests).</summary>
    public static int LiveCount => s_hooks.Count;

    /// <summary>Registers <paramref name="hook"/>; <paramref name="owned"/> is disposed when libtorch drops it.</summary>
    internal static unsafe GradientHook Register(Tensor tensor, Func<Tensor, Tensor?> hook, params IDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var key = Interlocked.Increment(ref s_nextKey);
        s_hooks[key] = new Entry(hook, owned);
        try
        {
            NativeMethods.Check(NativeMethods.MLXTensor_register_hook(tensor.Handle, &Invoke, &Release, key));
        }
        catch
        {
            Drop(key);
            throw;
        }

        return new GradientHook(key);
    }

    /// <summary>Detaches the managed function now; gradients then pass through unchanged.</summary>
    public void Dispose()
    {
        if (s_hooks.TryGetValue(_key, out var entry))
        {
            entry.Function = null;
        }
    }

    // Runs on libtorch's autograd thread (the caller's thread for CPU work). Nothing may escape into native code.
    // Temporaries the hook creates belong to a scope of their own and are freed once native code holds
    // its reference to the replacement.
    [UnmanagedCallersOnly]
    private static unsafe int Invoke(long key, IntPtr grad, IntPtr* replacement, byte* error, int capacity)
    {
        *replacement = IntPtr.Zero;
        try
        {
            using var scope = Torch.NewDisposeScope();
            var incoming = new Tensor(grad);
            if (s_hooks.TryGetValue(key, out var entry) && entry.Function is { } hook &&
                hook(incoming) is { } result && !ReferenceEquals(result, incoming))
            {
                *replacement = result.ShareNative();
            }

            return 0;
        }
        catch (Exception ex)
        {
            var text = $"{ex.GetType().Name}: {ex.Message}";
            var written = Encoding.UTF8.GetBytes(text.AsSpan(0, Math.Min(text.Length, capacity / 4 - 1)),
                new Span<byte>(error, capacity - 1));
            error[written] = 0;
            return 1;
        }
    }

    [UnmanagedCallersOnly]
    private static void Release(long key)
    {
        try
        {
            Drop(key);
        }
        catch
        {
            // Called from a native destructor: an exception here would abort the process.
        }
    }

    private static void Drop(long key)
    {
        if (s_hooks.TryRemove(key, out var entry))
        {
            foreach (var d in entry.Owned)
            {
                d.Dispose();
            }
        }
    }

    private sealed class Entry(Func<Tensor, Tensor?> function, IDisposable[] owned)
    {
        public volatile Func<Tensor, Tensor?>? Function = function;
        public IDisposable[] Owned { get; } = owned;
    }
}
