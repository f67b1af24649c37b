using System.Diagnostics;

namespace MLNetExplain.Tests.Engine;

/// <summary>
/// The after-build step that lets TorchSharp's native library load on libstdc++ older than GCC 13
/// (build/libtorchsharp-debian/patch.sh), run on a pristine copy of the library from the NuGet cache.
/// </summary>
public sealed class NativePatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnetexplain-patch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MLNetExplain.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("MLNetExplain.sln not found above the test output.");
    }

    private static string PristineLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp's native library is not in the NuGet cache at {path}");
        return path;
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private static bool HostNeedsPatch() =>
        !File.ReadAllText("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", System.Text.Encoding.Latin1).Contains("GLIBCXX_3.4.32");

    [Fact]
    public void PatchAddsTheStubAndMarksTheVersionWeakOnceAndOnlyWhereNeeded()
    {
        string lib = Path.Combine(_dir, "libLibTorchSharp.so");
        File.Copy(PristineLibrary(), lib);
        Directory.CreateDirectory(Path.Combine(_dir, "cpu"));
        string script = Path.Combine(RepoRoot(), "build", "libtorchsharp-debian", "patch.sh");

        var first = Run("bash", script, _dir);
        Assert.True(first.Code == 0, first.Output);
        Assert.False(Directory.Exists(Path.Combine(_dir, "cpu")), "a stale cpu/ folder must be removed");
        var needed = Run("patchelf", "--print-needed", lib).Output;
        var versions = Run("readelf", "-V", lib).Output;
        string weakLine = versions.Split('\n').Single(l => l.Contains("Name: GLIBCXX_3.4.32"));
        if (HostNeedsPatch())
        {
            Assert.Contains("libmlnetexplain_iosinit.so", needed);
            Assert.Contains("WEAK", weakLine);
            Assert.True(File.Exists(Path.Combine(_dir, "libmlnetexplain_iosinit.so")));
        }
        else
        {
            Assert.DoesNotContain("libmlnetexplain_iosinit.so", needed);
            Assert.DoesNotContain("WEAK", weakLine);
        }

        byte[] once = File.ReadAllBytes(lib);
        var second = Run("bash", script, _dir);
        Assert.True(second.Code == 0, second.Output);
        Assert.Equal(once, File.ReadAllBytes(lib));
        Assert.DoesNotContain("added", second.Output);
    }

    [Fact]
    public void BuildOutputLoadsTorch()
    {
        // The test host itself runs on the patched copy: creating a tensor proves the native library loaded.
        using var t = TorchSharp.torch.ones(2, 2);
        Assert.Equal(4f, t.sum().item<float>());
    }
}
