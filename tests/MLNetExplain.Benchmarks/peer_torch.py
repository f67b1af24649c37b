#!/usr/bin/python3
"""Python PyTorch peer of the MLNetExplain benchmark runner (tests/MLNetExplain.Benchmarks).

The runner calls this once per round and section and prints our numbers and these side by side; every sample
key here is the key the C# section uses for the same measurement. Sections:

  interop      per-op ns: an empty loop, torch.is_grad_enabled(), c = a + b on two 1-element float32 tensors
               (the previous result freed as c is rebound), a.add_(b)
  resnet       CIFAR ResNet-18 and the compact 16/32/64 ResNet (as src/MLNetExplain.Core/Models/ResNet.cs): SGD
               momentum train step (zero_grad, forward, cross-entropy, backward, step) and no-grad eval forward;
               minor page faults per train step
  adversarial  PGD-7 L2 adversarial train step on the compact ResNet (robustness-library conventions)
  explainer    ResNet-18 forward, the explainer's one pass (logits + map from the feature map), saliency
               (forward + input-gradient of the target logits, absolute), at batch 1 and the batch size
  guard        forward + input-gradient of a compact ResNet with widths 10/20/40 at the batch size
  layers       each ResNet-18 convolution shape, batch norm and ReLU alone: forward, and forward + backward
  trainstep    the ResNet-18 train step split into forward, backward and optimiser, for four variants (as is,
               in-place ReLU, channels-last input, both) interleaved step by step
  attribution  every attribution method of the suite (peer_attribution.py: the algorithms in plain PyTorch, as
               Captum is not available) and the explainer's one pass, per call on CIFAR ResNet-18 (3x32x32) and the
               demo CNN (1x28x28), at batch 1 and the batch size

Usage: /usr/bin/python3 peer_torch.py --json --only SECTION [--threads N] [--iterations N] [--warmup N]
                                      [--interop-ops N] [--batch N]
With --json the only thing written to stdout is one JSON object {"torch_version", "python_version", "threads",
"samples": {key: [values]}}. Exit code 3 means torch is not importable.
"""

import argparse
import json
import sys
import time

SECTIONS = ("interop", "resnet", "adversarial", "explainer", "guard", "layers", "trainstep", "attribution")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--only", required=True, choices=SECTIONS)
    p.add_argument("--threads", type=int, default=2, help="intra-op threads")
    p.add_argument("--iterations", type=int, default=5, help="measured iterations (sections scale it as the runner does)")
    p.add_argument("--warmup", type=int, default=3, help="warm-up iterations")
    p.add_argument("--interop-ops", type=int, default=100_000, help="tiny ops per interop loop")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--methods", default=None, help="attribution section: comma-separated methods to time (default all)")
    return p.parse_args()


try:
    import resource
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the runner prints a clear message and shows its own numbers only
    print(json.dumps({"error": f"python torch is not importable: {e}"}))
    sys.exit(3)


# ---------------------------------------------------------------- models (state-dict names as the C# models)

class BasicBlock(nn.Module):
    def __init__(self, in_ch, out_ch, stride, inplace=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.act1 = nn.ReLU(inplace)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.shortcut = None
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride, 0, bias=False), nn.BatchNorm2d(out_ch))
        self.act2 = nn.ReLU(inplace)

    def forward(self, x):
        out = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        sc = x if self.shortcut is None else self.shortcut(x)
        return self.act2(out + sc)  # out of place, as the C# block


class ResNet(nn.Module):
    def __init__(self, num_classes=10, in_ch=3, base=64, blocks=(2, 2, 2, 2), inplace=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, base, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.act1 = nn.ReLU(inplace)
        width = base
        for s, n in enumerate(blocks):
            out = base << s
            layers = [BasicBlock(width if b == 0 else out, out, 2 if (s > 0 and b == 0) else 1, inplace) for b in range(n)]
            setattr(self, f"layer{s + 1}", nn.Sequential(*layers))
            width = out
        self.num_stages = len(blocks)
        self.feature_channels = width
        self.linear = nn.Linear(width, num_classes)

    def features(self, x):
        x = self.act1(self.bn1(self.conv1(x)))
        for s in range(self.num_stages):
            x = getattr(self, f"layer{s + 1}")(x)
        return x

    def classify(self, f):
        return self.linear(f.mean((2, 3)))

    def forward(self, x):
        return self.classify(self.features(x))


def resnet18(inplace=False):
    return ResNet(base=64, blocks=(2, 2, 2, 2), inplace=inplace)


def compact(base=16):
    return ResNet(base=base, blocks=(1, 1, 1))


class SmallCnn(nn.Module):
    """The demo CNN as src/MLNetExplain.Core/Models/SmallCnn.cs: three conv-BN-ReLU stages (widths w, 2w, 2w), 2x2
    max pooling after the first two, global average pooling and a linear head."""

    def __init__(self, in_ch=1, num_classes=10, width=16):
        super().__init__()
        widths = (width, 2 * width, 2 * width)
        c = in_ch
        for s, w in enumerate(widths):
            setattr(self, f"conv{s + 1}", nn.Conv2d(c, w, 3, padding=1, bias=False))
            setattr(self, f"bn{s + 1}", nn.BatchNorm2d(w))
            setattr(self, f"act{s + 1}", nn.ReLU())
            c = w
        self.pool1 = nn.MaxPool2d(2)
        self.pool2 = nn.MaxPool2d(2)
        self.feature_channels = c
        self.fc = nn.Linear(c, num_classes)

    def features(self, x):
        x = self.pool1(self.act1(self.bn1(self.conv1(x))))
        x = self.pool2(self.act2(self.bn2(self.conv2(x))))
        return self.act3(self.bn3(self.conv3(x)))

    def classify(self, f):
        return self.fc(f.mean((2, 3)))

    def forward(self, x):
        return self.classify(self.features(x))


class ExplainerHead(nn.Module):
    """The explainer head of seed 001 as the C# one: conv/deconv + BN + ReLU layers from the feature map up to the
    input size, then a 1x1 convolution to one map channel."""

    def __init__(self, feature_channels, feature_size, input_size, layers=4):
        super().__init__()
        doublings = 0
        h = feature_size
        while h * 2 <= input_size and doublings < layers:
            h *= 2
            doublings += 1
        channels = feature_channels
        self.blocks = nn.ModuleList()
        for k in range(layers):
            nxt = max(8, channels // 2)
            if k >= layers - doublings:
                conv = nn.ConvTranspose2d(channels, nxt, 3, stride=2, padding=1, output_padding=1, bias=False)
            else:
                conv = nn.Conv2d(channels, nxt, 3, padding=1, bias=False)
            self.blocks.append(nn.Sequential(conv, nn.BatchNorm2d(nxt), nn.ReLU()))
            channels = nxt
        self.out = nn.Conv2d(channels, 1, 1)

    def forward(self, f):
        for block in self.blocks:
            f = block(f)
        return self.out(f)


# ---------------------------------------------------------------- helpers

def timed_ms(fn):
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1e3


def repeat_ms(fn, warmup, iterations):
    for _ in range(warmup):
        fn()
    return [timed_ms(fn) for _ in range(iterations)]


def repeat_wall_cpu(out, key, fn, warmup, iterations):
    """Wall ms under key, process CPU ms (all threads) under key + "_cpu"."""
    for _ in range(warmup):
        fn()
    for _ in range(iterations):
        c0 = time.process_time()
        out.setdefault(key, []).append(timed_ms(fn))
        out.setdefault(key + "_cpu", []).append((time.process_time() - c0) * 1e3)


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def inputs(batch, channels=3, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch, channels, size, size, generator=g)
    y = torch.randint(0, 10, (batch,), generator=g)
    return x, y


def sgd(model):
    return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)


# ---------------------------------------------------------------- sections

def bench_interop(args, out):
    ops = args.interop_ops
    a = torch.ones(1)
    b = torch.ones(1)
    acc = torch.zeros(1)

    def empty(n):
        for _ in range(n):
            pass

    def is_grad(n):
        f = torch.is_grad_enabled
        for _ in range(n):
            f()

    def add(n):
        for _ in range(n):
            c = a + b  # the previous result is freed when c is rebound
        del c

    def add_inplace(n):
        for _ in range(n):
            acc.add_(b)

    loops = {"empty_loop": empty, "is_grad_enabled": is_grad, "add": add, "add_inplace": add_inplace}
    for fn in loops.values():
        fn(10_000)
    for _ in range(5):
        for key, fn in loops.items():
            t0 = time.perf_counter_ns()
            fn(ops)
            out.setdefault(key, []).append((time.perf_counter_ns() - t0) / ops)


def train_and_infer(model, x, y, warmup, iterations, key, out):
    opt = sgd(model)

    def step():
        opt.zero_grad()  # zeroes in place, as TorchSharp's optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    model.train()
    for _ in range(warmup):
        step()
    for _ in range(iterations):
        f0 = minor_faults()
        c0 = time.process_time()
        out.setdefault(f"{key}/train", []).append(timed_ms(step))
        out.setdefault(f"{key}/train_cpu", []).append((time.process_time() - c0) * 1e3)
        out.setdefault(f"{key}/train_faults", []).append(float(minor_faults() - f0))

    model.eval()

    def infer():
        with torch.no_grad():
            model(x)

    repeat_wall_cpu(out, f"{key}/infer", infer, warmup, iterations)


def bench_resnet(args, out):
    x, y = inputs(args.batch)
    torch.manual_seed(0)
    train_and_infer(resnet18(), x, y, args.warmup, args.iterations, "resnet18", out)
    torch.manual_seed(0)
    train_and_infer(compact(), x, y, 2 * args.warmup, 4 * args.iterations, "compact", out)


def pgd_l2(model, x, y, eps, steps):
    """L2 PGD, robustness-library conventions: step 2.5 * eps / steps along g / (||g|| + 1e-10), projection by
    renorm to eps and clamp to [0, 1], no random start, last iterate; the model in eval mode."""
    was_training = model.training
    model.eval()
    step_size = 2.5 * eps / steps
    x0 = x.detach()
    current = x0.clone()
    for _ in range(steps):
        xi = current.clone().detach().requires_grad_(True)
        loss = F.cross_entropy(model(xi), y)
        grad, = torch.autograd.grad(loss, [xi])
        with torch.no_grad():
            g_norm = torch.norm(grad.view(grad.shape[0], -1), dim=1).view(-1, 1, 1, 1)
            stepped = xi + grad / (g_norm + 1e-10) * step_size
            diff = (stepped - x0).renorm(p=2, dim=0, maxnorm=eps)
            current = torch.clamp(x0 + diff, 0, 1)
    model.train(was_training)
    return current.detach()


def bench_adversarial(args, out, eps=1.5, steps=7):
    torch.manual_seed(0)
    model = compact()
    x, y = inputs(args.batch)
    opt = sgd(model)
    model.train()
    for k in range(args.warmup + 2 * args.iterations):
        t0 = time.perf_counter()
        x_adv = pgd_l2(model, x, y, eps, steps)
        t1 = time.perf_counter()
        loss = F.cross_entropy(model(x_adv), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        t2 = time.perf_counter()
        if k >= args.warmup:
            out.setdefault("adv/attack", []).append((t1 - t0) * 1e3)
            out.setdefault("adv/step", []).append((t2 - t0) * 1e3)


def bench_explainer(args, out):
    torch.manual_seed(1)
    model = resnet18().eval()
    head = ExplainerHead(512, 4, 32).eval()

    def forward(x):
        with torch.no_grad():
            model(x)

    def explain(x):
        with torch.no_grad():
            f = model.features(x)
            model.classify(f)
            head(f)

    def saliency(x, y):  # Captum's Saliency (abs=True) with given targets, as MLNetExplain.Attribution.Saliency
        xi = x.detach().requires_grad_(True)
        grad, = torch.autograd.grad(model(xi).gather(1, y[:, None]).sum(), [xi])
        grad.abs()

    for batch in (1, args.batch):
        x, y = inputs(batch, seed=2)
        iterations = 4 * args.iterations if batch == 1 else args.iterations
        for name, fn in (("forward", lambda: forward(x)), ("explainer", lambda: explain(x)), ("saliency", lambda: saliency(x, y))):
            out[f"{name}/b{batch}"] = repeat_ms(fn, args.warmup, iterations)


def bench_guard(args, out):
    torch.manual_seed(0)
    model = compact(base=10).eval()
    x, y = inputs(args.batch)

    def forward_input_gradient():
        xi = x.clone().requires_grad_(True)
        logits = model(xi)
        torch.autograd.grad(logits.gather(1, y[:, None]).sum(), [xi])

    out["guard/plain"] = repeat_ms(forward_input_gradient, args.warmup, 2 * args.iterations)


# Every distinct layer of ResNet-18 on 32x32 inputs: (in, out, kernel, stride, input size, occurrences).
RESNET18_CONVS = [
    (3, 64, 3, 1, 32, 1),
    (64, 64, 3, 1, 32, 4),
    (64, 128, 3, 2, 32, 1), (128, 128, 3, 1, 16, 3), (64, 128, 1, 2, 32, 1),
    (128, 256, 3, 2, 16, 1), (256, 256, 3, 1, 8, 3), (128, 256, 1, 2, 16, 1),
    (256, 512, 3, 2, 8, 1), (512, 512, 3, 1, 4, 3), (256, 512, 1, 2, 8, 1),
]
RESNET18_ACTIVATIONS = [(64, 32, 5), (128, 16, 5), (256, 8, 5), (512, 4, 5)]  # (channels, size, BN occurrences)


def bench_layers(args, out):
    torch.manual_seed(0)
    batch = args.batch
    for cin, cout, k, s, hw, _ in RESNET18_CONVS:
        conv = nn.Conv2d(cin, cout, k, s, k // 2, bias=False)
        x = torch.randn(batch, cin, hw, hw, requires_grad=True)
        g = torch.randn(batch, cout, hw // s, hw // s)
        key = f"conv{cin}-{cout}-k{k}-s{s}-{hw}"

        def fwd():
            conv(x)

        def fwd_bwd():
            conv(x).backward(g)

        repeat_wall_cpu(out, f"{key}/fwd", fwd, args.warmup, args.iterations)
        repeat_wall_cpu(out, f"{key}/fwdbwd", fwd_bwd, args.warmup, args.iterations)
    for c, hw, _ in RESNET18_ACTIVATIONS:
        bn = nn.BatchNorm2d(c).train()
        x = torch.randn(batch, c, hw, hw, requires_grad=True)
        g = torch.randn(batch, c, hw, hw)

        def bn_fwd():
            bn(x)

        def bn_fwd_bwd():
            bn(x).backward(g)

        def relu_fwd_bwd():
            F.relu(x).backward(g)

        repeat_wall_cpu(out, f"bn{c}-{hw}/fwd", bn_fwd, args.warmup, args.iterations)
        repeat_wall_cpu(out, f"bn{c}-{hw}/fwdbwd", bn_fwd_bwd, args.warmup, args.iterations)
        repeat_wall_cpu(out, f"relu{c}-{hw}/fwdbwd", relu_fwd_bwd, args.warmup, args.iterations)


TRAINSTEP_VARIANTS = [("default", False, False), ("inplace", True, False), ("cl", False, True), ("cl_inplace", True, True)]


def bench_trainstep(args, out):
    """As TrainStepBenchmarks.cs: the ResNet-18 train step split into forward, backward and optimiser, for four
    variants interleaved step by step."""
    x, y = inputs(args.batch)
    x_last = x.contiguous(memory_format=torch.channels_last)
    runs = []
    for key, inplace, last in TRAINSTEP_VARIANTS:
        torch.manual_seed(0)
        model = resnet18(inplace).train()
        runs.append((key, model, sgd(model), x_last if last else x))
    for k in range(args.warmup + args.iterations):
        for key, model, opt, xv in runs:
            f0 = minor_faults()
            c0 = time.process_time()
            t0 = time.perf_counter()
            loss = F.cross_entropy(model(xv), y)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            opt.zero_grad()
            t3 = time.perf_counter()
            c3 = time.process_time()
            del loss
            if k >= args.warmup:
                for name, v in (("step", t3 - t0), ("fwd", t1 - t0), ("bwd", t2 - t1), ("opt", t3 - t2)):
                    out.setdefault(f"{key}/{name}", []).append(v * 1e3)
                out.setdefault(f"{key}/faults", []).append(float(minor_faults() - f0))
                out.setdefault(f"{key}/cpu", []).append((c3 - c0) * 1e3)


def bench_attribution(args, out):
    import peer_attribution as pa
    wanted = None if args.methods is None else set(args.methods.split(","))
    for name, make, channels, size, fsize in (("resnet18", resnet18, 3, 32, 4), ("cnn", SmallCnn, 1, 28, 7)):
        torch.manual_seed(1)
        model = make().eval()
        head = ExplainerHead(model.feature_channels, fsize, size).eval()

        def explain(x):
            with torch.no_grad():
                f = model.features(x)
                model.classify(f)
                head(f)

        for batch in (1, args.batch):
            x, y = inputs(batch, channels, size, seed=2)
            iterations = args.iterations if batch == 1 else max(1, args.iterations // 3)
            if wanted is None or "explainer" in wanted:
                out[f"{name}/explainer/b{batch}"] = repeat_ms(lambda: explain(x), 1, iterations)
            for method, fn in pa.METHODS.items():
                if wanted is not None and method not in wanted:
                    continue
                g = torch.Generator().manual_seed(0)
                call = (lambda: fn(model, x, y, generator=g)) if method in pa.SEEDED else (lambda: fn(model, x, y))
                out[f"{name}/{method}/b{batch}"] = repeat_ms(call, 1, iterations)


BENCHES = {
    "interop": bench_interop,
    "resnet": bench_resnet,
    "adversarial": bench_adversarial,
    "explainer": bench_explainer,
    "guard": bench_guard,
    "layers": bench_layers,
    "trainstep": bench_trainstep,
    "attribution": bench_attribution,
}


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    samples = {}
    BENCHES[args.only](args, samples)
    result = {
        "torch_version": torch.__version__,
        "python_version": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "samples": samples,
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
