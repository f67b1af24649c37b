"""Writes the TorchScript model the TorchScriptExplain example explains.

A small Fashion-MNIST CNN whose module exports features(x) and classify(f) next to forward(x), so that
MLNetExplain's TorchScriptBackbone can read its feature map (Grad-CAM's default layer, the explainer head's input):
hooks do not fire inside TorchScript. Runs with Debian's python3-torch 1.13 (/usr/bin/python3) and needs nothing else.

    /usr/bin/python3 export_model.py fashion_cnn.pt [--steps 300] [--data /usr/share/datasets/fashion-mnist]

--steps 0, or a missing data folder, writes the model with its random initial weights.
"""
import argparse
import gzip
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class FashionCnn(nn.Module):
    # Output channels are multiples of 16: on CPUs with libtorch's conv2d input-gradient fault, MLNetExplain refuses
    # TorchScript convolutions with other counts (it cannot patch them; docs/torchscript.md).
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32, 10)

    @torch.jit.export
    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Images [N, 1, 28, 28] in [0, 1] to the last feature map [N, 32, 14, 14]."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return F.relu(self.conv2(x))

    @torch.jit.export
    def classify(self, f: torch.Tensor) -> torch.Tensor:
        """Logits [N, 10] from the feature map: global average pooling, then the linear layer."""
        return self.fc(f.mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(x))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def train(model, data, steps, batch=64):
    images = torch.from_numpy(read_idx(os.path.join(data, "train-images-idx3-ubyte.gz")).copy()).float().div_(255).unsqueeze(1)
    labels = torch.from_numpy(read_idx(os.path.join(data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    model.train()
    for step in range(steps):
        index = torch.randint(0, images.shape[0], (batch,), generator=generator)
        loss = F.cross_entropy(model(images[index]), labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    return loss.item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = FashionCnn().eval()
    trained = args.steps > 0 and os.path.isdir(args.data)
    loss = train(model, args.data, args.steps) if trained else float("nan")
    torch.jit.script(model).save(args.output)
    print(f"wrote {args.output} ({'trained %d steps, last loss %.3f' % (args.steps, loss) if trained else 'random weights'})")


if __name__ == "__main__":
    main()
