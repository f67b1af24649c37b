using System.Runtime.InteropServices;
using System.Text;

namespace MLNetExplain.Torch.Interop;

/// <summary>
/// An ATen operator reached through the c10 dispatcher by schema name ("aten::conv2d") and overload.
/// The handle is looked up on first use and then cached. Arguments are positional in schema order;
/// trailing arguments left out take the schema's defaults.
/// </summary>
internal sealed unsafe class Op(string name, string overload = "")
{
    private const int MaxOutputs = 64;
    private IntPtr _handle;

    public string Name { get; } = name;

    private IntPtr Handle
    {
        get
        {
            if (_handle == IntPtr.Zero)
            {
                NativeMethods.Check(NativeMethods.MLXOp_find(Name, overload, out var h));
                _handle = h;
            }

            return _handle;
        }
    }

    /// <summary>Calls an operator that returns exactly one tensor.</summary>
    public Tensor Call(params ReadOnlySpan<OpArg> args)
    {
        Span<IntPtr> outs = stackalloc IntPtr[MaxOutputs];
        var n = Invoke(args, outs, out _, out _);
        if (n != 1 || outs[0] == IntPtr.Zero)
        {
            FreeAll(outs[..n]);
            throw new TorchException($"{Name} returned {n} tensors where one was expected.");
        }

        return new Tensor(outs[0]);
    }

    /// <summary>Calls an in-place operator on <paramref name="self"/> (passed again as the first argument);
    /// the alias libtorch returns is released and <paramref name="self"/> is returned.</summary>
    public Tensor CallInPlace(Tensor self, params ReadOnlySpan<OpArg> args)
    {
        if (args.Length == 0 || !ReferenceEquals(args[0].Ref, self))
        {
            throw new ArgumentException($"{Name}: the first argument must be the tensor modified in place.");
        }

        Span<IntPtr> outs = stackalloc IntPtr[MaxOutputs];
        var n = Invoke(args, outs, out _, out _);
        FreeAll(outs[..n]);
        return self;
    }

    /// <summary>Calls an operator that returns several tensors (tuples or a tensor list).</summary>
    public Tensor[] CallMany(params ReadOnlySpan<OpArg> args)
    {
        Span<IntPtr> outs = stackalloc IntPtr[MaxOutputs];
        var n = Invoke(args, outs, out _, out _);
        var result = new Tensor[n];
        for (var k = 0; k < n; k++)
        {
            result[k] = new Tensor(outs[k]);
        }

        return result;
    }

    /// <summary>Calls an operator that returns a number.</summary>
    public double CallScalar(params ReadOnlySpan<OpArg> args)
    {
        Span<IntPtr> outs = stackalloc IntPtr[MaxOutputs];
        var n = Invoke(args, outs, out var scalar, out _);
        FreeAll(outs[..n]);
        return scalar;
    }

    private static void FreeAll(Span<IntPtr> handles)
    {
        foreach (var h in handles)
        {
            if (h != IntPtr.Zero)
            {
                NativeMethods.MLXTensor_free(h);
            }
        }
    }

    private int Invoke(ReadOnlySpan<OpArg> args, Span<IntPtr> outs, out double scalar, out long integer)
    {
        var op = Handle;
        // Lists and strings are copied into one scratch block that lives for the call.
        var scratchBytes = 0;
        foreach (var a in args)
        {
            scratchBytes += a.Ref switch
            {
                long[] l => l.Length * 8,
                double[] d => d.Length * 8,
                Tensor?[] t => t.Length * IntPtr.Size,
                string s => Encoding.UTF8.GetMaxByteCount(s.Length) + 1,
                _ => 0,
            };
        }

        const int StackScratch = 4096;
        byte* stackScratch = stackalloc byte[StackScratch];
        var heap = scratchBytes > StackScratch;
        var scratch = heap ? (byte*)NativeMemory.Alloc((nuint)scratchBytes) : stackScratch;
        try
        {
            Span<NativeArg> native = stackalloc NativeArg[args.Length];
            var cursor = scratch;
            for (var k = 0; k < args.Length; k++)
            {
                var a = args[k];
                ref var n = ref native[k];
                n.Kind = (int)a.Kind;
                n.I = a.I;
                n.D = a.D;
                switch (a.Ref)
                {
                    case Tensor t:
                        n.P = t.Handle;
                        break;
                    case Generator g:
                        n.P = g.Handle;
                        break;
                    case long[] l:
                        n.Count = l.Length;
                        n.P = (IntPtr)cursor;
                        l.AsSpan().CopyTo(new Span<long>(cursor, l.Length));
                        cursor += l.Length * 8;
                        break;
                    case double[] d:
                        n.Count = d.Length;
                        n.P = (IntPtr)cursor;
                        d.AsSpan().CopyTo(new Span<double>(cursor, d.Length));
                        cursor += d.Length * 8;
                        break;
                    case Tensor?[] ts:
                        n.Count = ts.Length;
                        n.P = (IntPtr)cursor;
                        var ptrs = new Span<IntPtr>(cursor, ts.Length);
                        for (var j = 0; j < ts.Length; j++)
                        {
                            ptrs[j] = ts[j]?.Handle ?? IntPtr.Zero;
                        }

                        cursor += ts.Length * IntPtr.Size;
                        break;
                    case string s:
                        n.P = (IntPtr)cursor;
                        var written = Encoding.UTF8.GetBytes(s, new Span<byte>(cursor, scratchBytes - (int)(cursor - scratch)));
                        cursor[written] = 0;
                        cursor += written + 1;
                        break;
                }

                if (a.Kind == NativeArgKind.Device)
                {
                    n.Count = (int)a.D;
                }
            }

            int count;
            fixed (NativeArg* pa = native)
            fixed (IntPtr* po = outs)
            {
                NativeMethods.Check(NativeMethods.MLXOp_call(op, pa, args.Length, po, outs.Length, out count,
                    out scalar, out integer));
            }

            // The tensors named in args must outlive the native call even if the caller drops them.
            foreach (var a in args)
            {
                GC.KeepAlive(a.Ref);
            }

            return count;
        }
        finally
        {
            if (heap)
            {
                NativeMemory.Free(scratch);
            }
        }
    }
}
