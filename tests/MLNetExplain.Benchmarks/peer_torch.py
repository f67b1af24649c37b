#!/usr/bin/python3
"""Python PyTorch peer of the MLNetExplain benchmark runner.

Runs the same measurements as tests/MLNetExplain.Benchmarks/Program.cs on Python torch, so the runner can print
both side by side:

  * interop: per-call cost of tiny operations (an empty loop, torch.is_grad_enabled(), and the add of two
    1-element float32 tensors whose result is freed at once);
  * resnet: the compact 3-stage 16/32/64 ResNet (one block per stage; 4x the iterations, 2x the warm-up) and
    the CIFAR ResNet-18 of src/MLNetExplain.Vision/Models/ResNet.cs (3x3 stride-1 stem, no max-pool,
    BasicBlocks [2, 2, 2, 2] at 64/128/256/512, 1x1 conv + BN shortcut, adaptive average pool, linear head):
    one SGD-momentum train step (zero_grad, forward, cross-entropy, backward, step) and one no-grad eval-mode
    forward, median milliseconds after warm-up;
  * adversarial: one PGD-7 L2 adversarial train step on the compact ResNet (the attack with the model in eval
    mode and the robustness library's conventions: step 2.5 * eps / steps along g / (||g|| + 1e-10), projection
    by renorm to eps and clamp to [0, 1], no random start, last iterate; then train mode, cross-entropy on
    x_adv, backward, SGD step), as src/MLNetExplain.Training's PgdAttack with UseBest = false.

Usage: /usr/bin/python3 peer_torch.py --json [--threads N] [--iterations N] [--warmup N]
                                          [--only interop,resnet,adversarial] [--interop-ops N] [--batch N]
                                          [--adv-iterations N] [--adv-warmup N] [--device cpu|cuda|cuda:N]
--device (default cpu) runs the resnet and adversarial sections there (interop stays on the CPU); on CUDA every timed
step ends by reading one value back, which waits for the queued kernels, as tests/MLNetExplain.DeviceCheck does.
With --json the only thing written to stdout is one JSON object. Exit code 3 means torch is not importable.
"""

import argparse
import json
import os
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--threads", type=int, default=0, help="intra-op threads (0: all cores)")
    p.add_argument("--iterations", type=int, default=5, help="measured ResNet iterations")
    p.add_argument("--warmup", type=int, default=3, help="ResNet warm-up iterations")
    p.add_argument("--only", type=sections, default=SECTIONS,
                   help="comma-separated sections to run (default: " + ",".join(SECTIONS) + ")")
    p.add_argument("--interop-ops", type=int, default=100_000, help="tiny ops per interop round")
    p.add_argument("--interop-rounds", type=int, default=5, help="interop rounds (the median is reported)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--adv-iterations", type=int, default=10, help="measured adversarial train steps")
    p.add_argument("--adv-warmup", type=int, default=3, help="adversarial warm-up steps")
    p.add_argument("--device", default="cpu", help="device of the resnet and adversarial sections (cpu, cuda, cuda:N)")
    return p.parse_args()


SECTIONS = ("interop", "resnet", "adversarial")


def sections(value):
    chosen = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in chosen if s not in SECTIONS]
    if not chosen or unknown:
        raise argparse.ArgumentTypeError("--only takes one or more (comma-separated) of " + ", ".join(SECTIONS))
    return chosen


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the runner prints a clear message and shows its own numbers only
    print(json.dumps({"error": f"python torch is not importable: {e}"}))
    sys.exit(3)


class BasicBlock(nn.Module):
    def __init__(self, in_ch, out_ch, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.act1 = nn.ReLU()
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.shortcut = None
        if stride != 1 or in_ch != out_ch:
            self.shortcut = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, stride, 0, bias=False), nn.BatchNorm2d(out_ch))
        self.act2 = nn.ReLU()

    def forward(self, x):
        out = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        sc = x if self.shortcut is None else self.shortcut(x)
        return self.act2(out + sc)  # out of place, as the C# block


class ResNet(nn.Module):
    def __init__(self, in_ch=3, base=64, num_classes=10, blocks=(2, 2, 2, 2)):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, base, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.act1 = nn.ReLU()
        width = base
        for s, n in enumerate(blocks):
            out = base << s
            layers = []
            for b in range(n):
                layers.append(BasicBlock(width if b == 0 else out, out, 2 if (s > 0 and b == 0) else 1))
            setattr(self, f"layer{s + 1}", nn.Sequential(*layers))
            width = out
        self.num_stages = len(blocks)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width, num_classes)

    def features(self, x):
        x = self.act1(self.bn1(self.conv1(x)))
        for s in range(self.num_stages):
            x = getattr(self, f"layer{s + 1}")(x)
        return x

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))


def per_op_ns(fn, ops, rounds):
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        fn(ops)
        samples.append((time.perf_counter_ns() - t0) / ops)
    return statistics.median(samples)


def bench_interop(ops, rounds):
    a = torch.ones(1)
    b = torch.ones(1)

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

    for fn in (empty, is_grad, add):  # warm-up
        fn(min(ops, 10_000))
    return {
        "ops": ops,
        "empty_loop_ns": per_op_ns(empty, ops, rounds),
        "is_grad_enabled_ns": per_op_ns(is_grad, ops, rounds),
        "add_ns": per_op_ns(add, ops, rounds),
    }


# The models of Program.cs: (key, constructor kwargs, iteration scale, warm-up scale).
MODELS = [
    ("resnet18", dict(base=64, blocks=(2, 2, 2, 2)), 1, 1),
    ("compact", dict(base=16, blocks=(1, 1, 1)), 4, 2),
]


def sync_point(device):
    """What ends a timed step: on a GPU, work is only queued, so read one value back (which waits for everything
    queued before it); on the CPU the work is already done and nothing is added."""
    if device.type == "cpu":
        return lambda t: None
    return lambda t: t.reshape(-1)[0].item()


def bench_model(kwargs, batch, warmup, iterations, device):
    torch.manual_seed(0)
    model = ResNet(**kwargs).to(device)
    params = sum(p.numel() for p in model.parameters())
    x = torch.randn(batch, 3, 32, 32).to(device)
    y = torch.randint(0, 10, (batch,)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    sync = sync_point(device)

    def train_step():
        opt.zero_grad(set_to_none=True)  # the C# optimiser also drops gradients rather than zeroing them
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sync(loss)  # after the step, so the step's kernels are waited for too

    model.train()
    train = []
    for k in range(warmup + iterations):
        t0 = time.perf_counter()
        train_step()
        dt = (time.perf_counter() - t0) * 1e3
        if k >= warmup:
            train.append(dt)

    model.eval()
    infer = []
    with torch.no_grad():
        for k in range(warmup + iterations):
            t0 = time.perf_counter()
            out = model(x)
            sync(out)
            del out
            dt = (time.perf_counter() - t0) * 1e3
            if k >= warmup:
                infer.append(dt)

    return {"batch": batch, "parameters": params, "train_ms": train, "infer_ms": infer}


def pgd_l2(model, x, y, eps, steps):
    """L2 PGD with the robustness library's conventions (no random start, last iterate), model in eval mode."""
    was_training = model.training
    model.eval()
    step_size = 2.5 * eps / steps
    x0 = x.detach()
    current = x0.clone()
    for _ in range(steps):
        xi = current.clone().detach().requires_grad_(True)
        losses = F.cross_entropy(model(xi), y, reduction="none")
        grad, = torch.autograd.grad(losses.mean(), [xi])
        with torch.no_grad():
            g_norm = torch.norm(grad.view(grad.shape[0], -1), dim=1).view(-1, 1, 1, 1)
            stepped = xi + grad / (g_norm + 1e-10) * step_size
            diff = (stepped - x0).renorm(p=2, dim=0, maxnorm=eps)
            current = torch.clamp(x0 + diff, 0, 1)
    model.train(was_training)
    return current.detach()


def bench_adversarial(batch, warmup, iterations, device, eps=1.5, steps=7):
    torch.manual_seed(0)
    model = ResNet(base=16, blocks=(1, 1, 1)).to(device)
    params = sum(p.numel() for p in model.parameters())
    x = torch.rand(batch, 3, 32, 32).to(device)
    y = torch.randint(0, 10, (batch,)).to(device)
    sync = sync_point(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    model.train()
    step_ms, attack_ms = [], []
    for k in range(warmup + iterations):
        t0 = time.perf_counter()
        x_adv = pgd_l2(model, x, y, eps, steps)
        sync(x_adv)
        t1 = time.perf_counter()
        loss = F.cross_entropy(model(x_adv), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sync(loss)
        del loss, x_adv
        t2 = time.perf_counter()
        if k >= warmup:
            attack_ms.append((t1 - t0) * 1e3)
            step_ms.append((t2 - t0) * 1e3)

    return {"batch": batch, "parameters": params, "epsilon": eps, "steps": steps, "step_ms": step_ms, "attack_ms": attack_ms}


def main():
    args = parse_args()
    threads = args.threads if args.threads > 0 else os.cpu_count()
    torch.set_num_threads(threads)
    device = torch.device(args.device)
    result = {
        "torch_version": torch.__version__,
        "python_version": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "device": str(device),
    }
    if device.type == "cuda":
        if not torch.cuda.is_available():
            print(json.dumps({"error": f"--device {args.device}: torch.cuda.is_available() is False (torch {torch.__version__})"}))
            sys.exit(4)
        result["device_name"] = torch.cuda.get_device_name(device)
    if "interop" in args.only:
        result["interop"] = bench_interop(args.interop_ops, args.interop_rounds)
    if "resnet" in args.only:
        result["resnet"] = {
            key: bench_model(kwargs, args.batch, args.warmup * wscale, args.iterations * iscale, device)
            for key, kwargs, iscale, wscale in MODELS
        }
    if "adversarial" in args.only:
        result["adversarial"] = bench_adversarial(args.batch, args.adv_warmup, args.adv_iterations, device)

    try:
        import resource  # Linux: ru_maxrss is in KiB
        result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    except (ImportError, OSError):
        pass

    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
