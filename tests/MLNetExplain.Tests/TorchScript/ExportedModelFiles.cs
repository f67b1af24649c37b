using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.Models;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>
/// TorchScript files written by the TorchScriptExplain example's own export_model.py (random weights, so it is
/// fast) and by torch.jit.trace_module / torch.jit.trace; written on first use, so skipped tests never run Python.
/// </summary>
public sealed class ExportedModelFiles : IDisposable
{
    private const string Tracer = """
        import sys, os, runpy, torch
        Base = runpy.run_path(sys.argv[1])["FashionCnn"]

        class Traceable(Base):
            # The same layers without @torch.jit.export, which tracing would compile before tracing them.
            def features(self, x):
                return Base.features(self, x)
            def classify(self, f):
                return Base.classify(self, f)

        torch.manual_seed(1)
        net = Traceable().eval()
        x = torch.rand(2, 1, 28, 28)
        torch.jit.trace_module(net, {"forward": x, "features": x, "classify": net.features(x)}).save(os.path.join(sys.argv[2], "traced_module.pt"))
        torch.jit.trace(net, x).save(os.path.join(sys.argv[2], "forward_only.pt"))
        """;

    private readonly TempDirectory _folder = new();
    private readonly Lazy<string> _folderWithFiles;

    public ExportedModelFiles()
    {
        _folderWithFiles = new Lazy<string>(() =>
        {
            PythonTorch.Run(System.IO.File.ReadAllText(ExportScript), _folder.File("scripted.pt"), "--steps", "0");
            PythonTorch.Run(Tracer, ExportScript, _folder.Path);
            return _folder.Path;
        });
    }

    /// <summary>examples/TorchScriptExplain/export_model.py in this checkout.</summary>
    public static string ExportScript => Path.Combine(RepositoryRoot(), "examples", "TorchScriptExplain", "export_model.py");

    /// <summary>The example's model, scripted with features/classify exported (@torch.jit.export).</summary>
    public string Scripted => Path.Combine(_folderWithFiles.Value, "scripted.pt");

    /// <summary>The same architecture traced with torch.jit.trace_module, features and classify traced too.</summary>
    public string TracedModule => Path.Combine(_folderWithFiles.Value, "traced_module.pt");

    /// <summary>The same architecture traced with torch.jit.trace: forward only.</summary>
    public string ForwardOnly => Path.Combine(_folderWithFiles.Value, "forward_only.pt");

    /// <summary>A path for a test's own file, deleted with the fixture.</summary>
    public string File(string name) => _folder.File(name);

    public void Dispose() => _folder.Dispose();

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "MLNetExplain.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("MLNetExplain.sln not found above the test output.");
    }
}
