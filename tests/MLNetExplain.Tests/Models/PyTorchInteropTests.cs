using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Models;

/// <summary>Weights travel by name between PyTorch's CIFAR ResNet-18 and ours (needs python3-torch; CI installs it).</summary>
public class PyTorchInteropTests
{
    // The common CIFAR ResNet-18 (kuangliu/pytorch-cifar), written here from its architecture.
    private const string Script = """
        import sys, torch
        import torch.nn as nn
        import torch.nn.functional as F

        class BasicBlock(nn.Module):
            def __init__(self, inp, planes, stride=1):
                super().__init__()
                self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(planes)
                self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(planes)
                self.shortcut = nn.Sequential()
                if stride != 1 or inp != planes:
                    self.shortcut = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                return F.relu(out + self.shortcut(x))

        class ResNet18(nn.Module):
            def __init__(self, num_classes=10):
                super().__init__()
                self.in_planes = 64
                self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(64)
                self.layer1 = self._make(64, 1)
                self.layer2 = self._make(128, 2)
                self.layer3 = self._make(256, 2)
                self.layer4 = self._make(512, 2)
                self.linear = nn.Linear(512, num_classes)
            def _make(self, planes, stride):
                layers = []
                for s in [stride, 1]:
                    layers.append(BasicBlock(self.in_planes, planes, s))
                    self.in_planes = planes
                return nn.Sequential(*layers)
            def forward(self, x):
                out = F.relu(self.bn1(self.conv1(x)))
                out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
                out = F.avg_pool2d(out, 4).view(x.shape[0], -1)
                return self.linear(out)

        torch.manual_seed(0)
        model = ResNet18()
        with torch.no_grad():
            for name, t in model.state_dict().items():
                if name.endswith('running_mean'):
                    t.copy_(torch.randn_like(t) * 0.1)
                elif name.endswith('running_var'):
                    t.copy_(torch.rand_like(t) + 0.5)
                elif name.endswith('num_batches_tracked'):
                    t.fill_(7)
        model.eval()
        x = torch.rand(4, 3, 32, 32)
        with torch.no_grad():
            logits = model(x)
        torch.save(model.state_dict(), sys.argv[1])
        torch.save({'x': x, 'logits': logits}, sys.argv[2])
        with open(sys.argv[3], 'w') as f:
            f.write('\n'.join(model.state_dict().keys()))
        """;

    [Fact]
    public void PyTorchResNet18StateDictLoadsAndGivesTheSameLogits()
    {
        using var dir = new TempDirectory();
        var weights = dir.File("resnet18.pt");
        var reference = dir.File("reference.pt");
        var keys = dir.File("keys.txt");
        PythonTorch.Run(Script, weights, reference, keys);

        using var scope = NewDisposeScope();
        using var model = ResNet.ResNet18();
        Assert.Equal(File.ReadAllLines(keys).Order(), model.state_dict().Keys.Order());
        model.load_py(weights, strict: true);
        model.eval();
        var saved = PyTorchUnpickler.UnpickleStateDict(reference);
        var x = (Tensor)saved["x"]!;
        var expected = (Tensor)saved["logits"]!;
        Assert.Equal(7, model.state_dict()["layer3.1.bn2.num_batches_tracked"].item<long>());
        using (no_grad())
        {
            var logits = model.call(x);
            double error = (logits - expected).abs().max().item<float>();
            Assert.True(error < 1e-4, $"max |logit difference| {error}");
            Assert.True(expected.abs().max().item<float>() > 0.1, "the reference logits are not trivial");
        }
    }
}
