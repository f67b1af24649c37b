using MLNetExplain.Models;
using MLNetExplain.Tests.Datasets;
using MLNetExplain.Tests.Models;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.TorchScript;

/// <summary>
/// Safetensors weights written in Python load into our architectures by state-dict name. Debian ships no
/// safetensors package, so the script writes the format itself (an 8-byte header length, a JSON header, raw data).
/// </summary>
public sealed class SafetensorsInteropTests
{
    // SmallCnn(inputChannels 1, classes 10, width 4) as PyTorch modules with our state-dict names.
    private const string Script = """
        import sys, json, struct, torch
        import torch.nn as nn
        import torch.nn.functional as F

        class SmallCnn(nn.Module):
            def __init__(self, cin=1, classes=10, width=4):
                super().__init__()
                c = cin
                for i, w in enumerate([width, 2 * width, 2 * width], 1):
                    setattr(self, f"conv{i}", nn.Conv2d(c, w, 3, padding=1, bias=False))
                    setattr(self, f"bn{i}", nn.BatchNorm2d(w))
                    setattr(self, f"act{i}", nn.ReLU())
                    c = w
                self.fc = nn.Linear(c, classes)
            def forward(self, x):
                for i in (1, 2, 3):
                    x = getattr(self, f"act{i}")(getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(x)))
                    if i < 3:
                        x = F.max_pool2d(x, 2)
                return self.fc(x.mean(dim=(2, 3)))

        def save_safetensors(tensors, path):
            header, blobs, offset = {}, [], 0
            for name, t in tensors.items():
                data = t.detach().contiguous().numpy().tobytes()
                header[name] = {"dtype": {torch.float32: "F32", torch.int64: "I64"}[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
                blobs.append(data)
                offset += len(data)
            text = json.dumps(header).encode()
            text += b" " * (-len(text) % 8)
            with open(path, "wb") as f:
                f.write(struct.pack("<Q", len(text)))
                f.write(text)
                for data in blobs:
                    f.write(data)

        torch.manual_seed(0)
        model = SmallCnn()
        with torch.no_grad():
            for name, t in model.state_dict().items():
                if name.endswith("running_mean"):
                    t.copy_(torch.randn_like(t) * 0.1)
                elif name.endswith("running_var"):
                    t.copy_(torch.rand_like(t) + 0.5)
                elif name.endswith("num_batches_tracked"):
                    t.fill_(5)
        model.eval()
        x = torch.rand(3, 1, 28, 28)
        with torch.no_grad():
            logits = model(x)
        save_safetensors(model.state_dict(), sys.argv[1])
        save_safetensors({"x": x, "logits": logits}, sys.argv[2])
        """;

    [PythonTorchFact]
    public void PythonSafetensorsLoadIntoSmallCnnByNameAndGiveTheSameLogits()
    {
        using var dir = new TempDirectory();
        var weights = dir.File("small_cnn.safetensors");
        var reference = dir.File("reference.safetensors");
        PythonTorch.Run(Script, weights, reference);

        using var scope = NewDisposeScope();
        using var model = new SmallCnn(inputChannels: 1, numClasses: 10, width: 4);
        model.load_safetensors(weights, strict: true);
        model.eval();
        Assert.Equal(5, model.state_dict()["bn2.num_batches_tracked"].item<long>());
        var saved = Safetensors.LoadStateDict(reference, null);
        using var noGrad = no_grad();
        var logits = model.call(saved["x"]);
        double error = (logits - saved["logits"]).abs().max().item<float>();
        Assert.True(saved["logits"].abs().max().item<float>() > 0.05, "the reference logits are not trivial");
        Assert.True(error < 1e-5, $"max |logit difference| {error}");
    }

}
