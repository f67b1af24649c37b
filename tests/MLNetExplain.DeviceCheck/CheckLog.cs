using System.Globalization;
using MLNetExplain.Torch;

namespace MLNetExplain.DeviceCheck;

/// <summary>Counts and prints PASS/FAIL lines; compares a device result with its CPU reference.</summary>
internal sealed class CheckLog(Device device)
{
    public Device Device => device;

    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"== {title} ==");
    }

    public void Info(string text) => Console.WriteLine($"      {text}");

    public bool Check(string name, bool ok, string detail)
    {
        if (ok)
        {
            Passed++;
        }
        else
        {
            Failed++;
        }

        Console.WriteLine($"{(ok ? "PASS" : "FAIL")}  {name,-52} {detail}");
        return ok;
    }

    /// <summary>Runs one group of checks; an exception fails the group with its message instead of ending the run.</summary>
    public void Run(string name, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            Check(name, false, $"threw {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Passes when <paramref name="actual"/> (computed on the device under test) has the reference's shape, lives on
    /// that device, is finite, and is within <paramref name="relL2"/> of <paramref name="expected"/> in relative L2 norm
    /// and within <paramref name="maxRel"/> in largest element difference relative to the largest reference element.
    /// The L2 measure tolerates rare local differences (a ReLU kink crossed by a rounding difference); the max measure
    /// catches a wrong element among many right ones.
    /// </summary>
    public bool Compare(string name, Tensor actual, Tensor expected, double relL2, double? maxRel = null, bool onDevice = true)
    {
        using var scope = Torch.Torch.NewDisposeScope();
        if (!actual.Shape.SequenceEqual(expected.Shape))
        {
            return Check(name, false, $"shape [{string.Join(", ", actual.Shape)}], expected [{string.Join(", ", expected.Shape)}]");
        }

        if (onDevice && actual.Device.Type != device.Type)
        {
            return Check(name, false, $"result is on {actual.Device}, expected {device}");
        }

        var a = actual.Detach().To(Device.Cpu).To(ScalarType.Float64);
        var e = expected.Detach().To(Device.Cpu).To(ScalarType.Float64);
        // x - x is NaN exactly where x is NaN or infinite.
        if ((a - a).IsNan().Any().ToDouble() != 0)
        {
            return Check(name, false, "result has NaN or infinite values");
        }

        var diff = a - e;
        var l2 = Ratio(diff.Norm().ToDouble(), e.Norm().ToDouble());
        var max = Ratio(diff.Abs().Max().ToDouble(), e.Abs().Max().ToDouble());
        var maxTol = maxRel ?? 10 * relL2;
        return Check(name, l2 <= relL2 && max <= maxTol,
            $"rel L2 {Sci(l2)} (tol {Sci(relL2)}), max rel {Sci(max)} (tol {Sci(maxTol)})");
    }

    /// <summary>Compares values read back from a pipeline (host arrays), with the measures of <see cref="Compare"/>.</summary>
    public bool CompareArrays(string name, float[] actual, float[] expected, double relL2, double? maxRel = null)
    {
        if (actual.Length != expected.Length)
        {
            return Check(name, false, $"{actual.Length} values, expected {expected.Length}");
        }

        using var a = Tensor.From(actual, actual.Length);
        using var e = Tensor.From(expected, expected.Length);
        return Compare(name, a, e, relL2, maxRel, onDevice: false);
    }

    /// <summary>Relative error of scalars (losses).</summary>
    public bool CompareScalars(string name, double[] actual, double[] expected, double relTol)
    {
        var worst = actual.Zip(expected, (a, e) => Ratio(Math.Abs(a - e), Math.Abs(e))).DefaultIfEmpty(0).Max();
        var finite = actual.All(double.IsFinite);
        return Check(name, finite && worst <= relTol && actual.Length == expected.Length,
            $"worst rel {Sci(worst)} (tol {Sci(relTol)}); device [{string.Join(", ", actual.Select(v => v.ToString("F5", CultureInfo.InvariantCulture)))}] " +
            $"cpu [{string.Join(", ", expected.Select(v => v.ToString("F5", CultureInfo.InvariantCulture)))}]");
    }

    // 0/0 is a match (both zero); x/0 is infinitely far.
    private static double Ratio(double difference, double scale) =>
        difference == 0 ? 0 : scale == 0 ? double.PositiveInfinity : difference / scale;

    public static string Sci(double v) => v.ToString("0.0e+00", CultureInfo.InvariantCulture);
}
