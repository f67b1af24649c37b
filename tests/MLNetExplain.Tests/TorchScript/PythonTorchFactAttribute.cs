using System.Diagnostics;
using MLNetExplain.Tests.Models;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>
/// A fact that is skipped, saying why, when <c>/usr/bin/python3</c> cannot import torch (CI installs python3-torch,
/// so there it always runs): the bring-your-own-model tests need Python to write the models they load.
/// </summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(PythonTorch.Interpreter))
        {
            return false;
        }

        var start = new ProcessStartInfo(PythonTorch.Interpreter, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start);
        if (process is null)
        {
            return false;
        }

        process.StandardError.ReadToEnd();
        return process.WaitForExit(60_000) && process.ExitCode == 0;
    });

    /// <summary>Sets <see cref="FactAttribute.Skip"/> when Python's torch is missing.</summary>
    public PythonTorchFactAttribute()
    {
        if (!Available.Value)
        {
            Skip = $"{PythonTorch.Interpreter} cannot import torch: install python3-torch (apt-get install python3-torch) to run this test.";
        }
    }
}
