using System.Runtime.InteropServices;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.Models;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>Shares one <see cref="TorchScriptFiles"/> across the TorchScript test classes (Python runs once).</summary>
[CollectionDefinition(Name)]
public sealed class TorchScriptCollection : ICollectionFixture<TorchScriptFiles>
{
    public const string Name = "TorchScript from PyTorch";
}

/// <summary>
/// What Debian's PyTorch 1.13 writes: a traced CNN with 6- and 10-channel convolutions (the counts the conv2d fault
/// hits), a fixed batch of four 1x28x28 images, and Python's logits and saliency (|d logit[target] / d x|,
/// Captum's convention) for it; plus a traced feature extractor (wrong output shape) and a pickled state dict
/// (a zip that is not TorchScript).
/// </summary>
public sealed class TorchScriptFiles : IDisposable
{
    public static readonly long[] Targets = [0, 3, 7, 9];

    private const string Writer = """
        import sys, os, torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 6, 3, padding=1)
                self.conv2 = nn.Conv2d(6, 10, 3, stride=2, padding=1)
                self.fc = nn.Linear(10 * 14 * 14, 10)
            def forward(self, x):
                x = torch.relu(self.conv1(x))
                x = torch.relu(self.conv2(x))
                return self.fc(x.flatten(1))

        out = sys.argv[1]
        torch.manual_seed(0)
        net = Net().eval()
        x = torch.rand(4, 1, 28, 28)
        traced = torch.jit.trace(net, x)
        traced.save(os.path.join(out, "cnn.pt"))
        torch.jit.trace(nn.Sequential(net.conv1, nn.ReLU(), net.conv2), x).save(os.path.join(out, "features.pt"))
        torch.save(net.state_dict(), os.path.join(out, "state_dict.pt"))

        xg = x.clone().requires_grad_()
        logits = traced(xg)
        logits.gather(1, torch.tensor([0, 3, 7, 9]).view(-1, 1)).sum().backward()

        def write(name, t):
            with open(os.path.join(out, name), "wb") as f:
                f.write(t.detach().contiguous().float().numpy().tobytes())

        write("input.bin", x)
        write("logits.bin", logits)
        write("saliency.bin", xg.grad.abs())
        """;

    private readonly TempDirectory _folder = new();

    public TorchScriptFiles()
    {
        PythonTorch.Run(Writer, _folder.Path);
        Input = Read("input.bin");
        Logits = Read("logits.bin");
        Saliency = Read("saliency.bin");
    }

    /// <summary>The traced classifier: [N, 1, 28, 28] to 10 logits.</summary>
    public string ModelPath => _folder.File("cnn.pt");

    /// <summary>A traced module returning feature maps [N, 10, 14, 14], not logits.</summary>
    public string FeaturesPath => _folder.File("features.pt");

    /// <summary>A state dict written by torch.save: a zip archive, but not TorchScript.</summary>
    public string StateDictPath => _folder.File("state_dict.pt");

    /// <summary>The Python batch [4, 1, 28, 28] in [0, 1], flat.</summary>
    public float[] Input { get; }

    /// <summary>Python's logits [4, 10], flat.</summary>
    public float[] Logits { get; }

    /// <summary>Python's absolute input-gradient of each example's target logit [4, 1, 28, 28], flat.</summary>
    public float[] Saliency { get; }

    /// <summary>A folder for a test's own files, deleted with the fixture.</summary>
    public string File(string name) => _folder.File(name);

    public Tensor Images() => tensor(Input).view(4, 1, 28, 28);

    public static Tensor TargetTensor() => tensor(Targets);

    /// <summary>max |actual - expected| / max |expected|, in float64.</summary>
    public static double RelativeError(Tensor actual, float[] expected)
    {
        var a = actual.detach().to_type(ScalarType.Float64).flatten().data<double>().ToArray();
        Assert.Equal(expected.Length, a.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        return expected.Zip(a, (e, x) => Math.Abs(x - e)).Max() / scale;
    }

    public void Dispose() => _folder.Dispose();

    private float[] Read(string name) => MemoryMarshal.Cast<byte, float>(System.IO.File.ReadAllBytes(_folder.File(name))).ToArray();
}
