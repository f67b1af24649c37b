using System.Diagnostics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Benchmarks;

/// <summary>
/// (a) Per-op overhead: an empty loop, <c>is_grad_enabled()</c>, and the add of two 1-element float32 tensors whose
/// result is freed at once. TorchSharp's <c>a + b</c> (<c>a.add(b)</c>) converts the alpha 1 to a native Scalar
/// that nothing disposes, so the finaliser frees it later; the C# add loops therefore end by draining the
/// finaliser queue inside the timed region (Python frees everything by reference counting as it goes), and the
/// same add with one reused alpha Scalar is measured as the cheaper idiom.
/// </summary>
internal sealed class InteropBenchmarks : Section
{
    private const int LoopsPerRound = 5;

    private static long s_sink;

    public override string Name => "interop";

    public override string Title(Settings settings) =>
        $"per-op overhead, {settings.InteropOps:N0} ops per loop, {LoopsPerRound} loops per round";

    public override IReadOnlyList<Row> Rows(Settings settings) =>
    [
        new("empty loop, per iteration", "empty_loop", "empty_loop", Row.Ns),
        new("is_grad_enabled() (native call, no tensor)", "is_grad_enabled", "is_grad_enabled", Row.Ns),
        new("a + b, 1-element tensors, result freed (C#: using var c = a + b)", "add", "add", Row.Ns),
        new("same add with one reused alpha Scalar (C#: a.add(b, one))", "add_alpha", "add", Row.Ns),
        new("same add, one DisposeScope per op (C#)", "add_in_scope", "add", Row.Ns),
        new("add_ in place with reused alpha (C#) / a.add_(b) (Python)", "add_inplace", "add_inplace", Row.Ns),
    ];

    public override IEnumerable<string> Notes(Settings settings, Samples ours, Samples peer) =>
    [
        "Every C# add loop ends with GC.Collect + WaitForPendingFinalizers inside the timed region, so Scalars left to the",
        "finaliser are paid for; ratio = ours / Python: below 1.00x we are faster.",
    ];

    public override void MeasureOurs(Settings settings, Samples into)
    {
        using var a = ones(1);
        using var b = ones(1);
        using var sum = zeros(1);
        using var one = 1.ToScalar();
        var ops = settings.InteropOps;

        // Warm-up: JIT tiers, the op lookup, the allocator.
        EmptyLoop(10_000);
        IsGradLoop(10_000);
        AddLoop(a, b, 10_000);
        AddAlphaLoop(a, b, one, 10_000);
        AddInScopeLoop(a, b, one, 10_000);
        AddInPlaceLoop(sum, b, one, 10_000);
        Drain();

        for (var k = 0; k < LoopsPerRound; k++)
        {
            into.Add("empty_loop", PerOpNs(() => EmptyLoop(ops), ops, drain: false));
            into.Add("is_grad_enabled", PerOpNs(() => IsGradLoop(ops), ops, drain: false));
            into.Add("add", PerOpNs(() => AddLoop(a, b, ops), ops, drain: true));
            into.Add("add_alpha", PerOpNs(() => AddAlphaLoop(a, b, one, ops), ops, drain: true));
            into.Add("add_in_scope", PerOpNs(() => AddInScopeLoop(a, b, one, ops), ops, drain: true));
            into.Add("add_inplace", PerOpNs(() => AddInPlaceLoop(sum, b, one, ops), ops, drain: true));
        }
    }

    private static double PerOpNs(Action loop, int ops, bool drain)
    {
        Drain();
        var sw = Stopwatch.StartNew();
        loop();
        if (drain)
        {
            Drain();
        }

        return sw.Elapsed.TotalNanoseconds / ops;
    }

    private static void Drain()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EmptyLoop(int n)
    {
        long acc = 0;
        for (var i = 0; i < n; i++)
        {
            acc += i; // keeps the loop from being removed
        }

        s_sink = acc;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void IsGradLoop(int n)
    {
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (is_grad_enabled())
            {
                count++;
            }
        }

        s_sink = count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddLoop(Tensor a, Tensor b, int n)
    {
        for (var i = 0; i < n; i++)
        {
            using var c = a + b;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddAlphaLoop(Tensor a, Tensor b, Scalar one, int n)
    {
        for (var i = 0; i < n; i++)
        {
            using var c = a.add(b, one);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddInScopeLoop(Tensor a, Tensor b, Scalar one, int n)
    {
        for (var i = 0; i < n; i++)
        {
            using var scope = NewDisposeScope();
            _ = a.add(b, one);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddInPlaceLoop(Tensor sum, Tensor b, Scalar one, int n)
    {
        for (var i = 0; i < n; i++)
        {
            sum.add_(b, one);
        }
    }
}
