"""The attribution methods of MLNetExplain written with plain PyTorch, for the benchmark's `attribution` section.

Captum is on neither Debian nor npm, so the peer is each algorithm as Captum defines it (the definitions in
docs/attribution.md), with the settings the C# section uses: seed 001's for the methods it compares (IG with a zero
baseline and 50 Gauss-Legendre steps, SmoothGrad with 50 samples, GradientShap with 5 samples and a N(0, 0.001^2)
baseline distribution, Occlusion with a (C, 4, 4) window and stride 2) and Captum's defaults for the rest. Chunking
is the same on both sides: at most MAX_IMAGES images per forward pass.
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MAX_IMAGES = 256
GRID = 4  # superpixel side of the feature masks of FeatureAblation, LIME and KernelShap


def target_grad(model, x, y):
    xi = x.detach().requires_grad_(True)
    grad, = torch.autograd.grad(model(xi).gather(1, y[:, None]).sum(), [xi])
    return grad


def chunked(fn, x, y):
    return torch.cat([fn(x[i:i + MAX_IMAGES], y[i:i + MAX_IMAGES]) for i in range(0, x.shape[0], MAX_IMAGES)])


def scores(model, x, y):
    with torch.no_grad():
        return chunked(lambda a, b: model(a).gather(1, b[:, None]).squeeze(1), x, y)


def saliency(model, x, y):
    return target_grad(model, x, y).abs()


def input_x_gradient(model, x, y):
    return x * target_grad(model, x, y)


def integrated_gradients(model, x, y, steps=50):
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    alphas = torch.tensor(0.5 * (nodes + 1), dtype=x.dtype)
    w = torch.tensor(0.5 * weights, dtype=x.dtype)
    n = x.shape[0]
    path = (alphas.view(-1, 1, 1, 1, 1) * x.unsqueeze(0)).flatten(0, 1)  # zero baseline
    grads = chunked(lambda a, b: target_grad(model, a, b), path, y.repeat(steps)).view(steps, *x.shape)
    return x * (w.view(-1, 1, 1, 1, 1) * grads).sum(0)


def smoothgrad(model, x, y, samples=50, level=0.15, generator=None):
    sigma = (x.flatten(1).amax(1) - x.flatten(1).amin(1)).view(-1, 1, 1, 1) * level
    noise = torch.randn(samples, 1, *x.shape[1:], generator=generator)
    noisy = (x.unsqueeze(0) + noise * sigma.unsqueeze(0)).flatten(0, 1)
    grads = chunked(lambda a, b: target_grad(model, a, b).abs(), noisy, y.repeat(samples))
    return grads.view(samples, *x.shape).mean(0)


def gradient_shap(model, x, y, samples=5, generator=None):
    baselines = torch.randn(20, *x.shape[1:], generator=generator) * 0.001
    n = x.shape[0]
    picks = torch.randint(0, baselines.shape[0], (samples * n,), generator=generator)
    b = baselines[picks].view(samples, *x.shape)
    alpha = torch.rand(samples, n, 1, 1, 1, generator=generator)
    points = (b + alpha * (x.unsqueeze(0) - b)).flatten(0, 1)
    grads = chunked(lambda a, t: target_grad(model, a, t), points, y.repeat(samples)).view(samples, *x.shape)
    return ((x.unsqueeze(0) - b) * grads).mean(0)


class _Guided(torch.autograd.Function):
    """ReLU whose backward keeps only positive gradients: masked by the input (guided) or not (deconvolution)."""

    @staticmethod
    def forward(ctx, x, masked):
        ctx.save_for_backward(x)
        ctx.masked = masked
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        g = g.clamp(min=0)
        return (g * (x > 0).to(g.dtype) if ctx.masked else g), None


def _with_relu_hooks(model, hook, fn):
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        return fn()
    finally:
        for h in handles:
            h.remove()


def guided_backprop(model, x, y, masked=True):
    hook = lambda m, inp, out: _Guided.apply(inp[0], masked)
    return _with_relu_hooks(model, hook, lambda: target_grad(model, x, y))


def deconvolution(model, x, y):
    return guided_backprop(model, x, y, masked=False)


def deeplift(model, x, y):
    """Rescale rule on ReLUs (one forward on cat([x, x'])); max pooling by the exact rule of the C# DeepLift: per
    window, with i the argmax at x and j at x', the change splits as r at i and 1 - r at j,
    r = (a_i - a_j) / ((a_i - a_j) + (b_j - b_i)) (all at i when i == j)."""
    n = x.shape[0]

    def relu_hook(m, inp, out):
        a, r = inp[0][:n], inp[0][n:]
        oa, orf = out[:n], out[n:]
        d = a - r
        small = d.abs() < 1e-10
        mult = torch.where(small, (a > 0).to(a.dtype), (oa - orf) / torch.where(small, torch.ones_like(d), d))
        return torch.cat([oa.detach() + mult.detach() * (a - a.detach()), orf.detach()])

    def pool_hook(m, inp, out):
        a, b = inp[0][:n], inp[0][n:]
        oa, i = F.max_pool2d(a, m.kernel_size, m.stride, m.padding, m.dilation, return_indices=True)
        ob, j = F.max_pool2d(b, m.kernel_size, m.stride, m.padding, m.dilation, return_indices=True)
        flat_a, flat_b = a.flatten(2), b.flatten(2)
        ai, aj = flat_a.gather(2, i.flatten(2)).view_as(oa), flat_a.gather(2, j.flatten(2)).view_as(oa)
        bi, bj = flat_b.gather(2, i.flatten(2)).view_as(oa), flat_b.gather(2, j.flatten(2)).view_as(oa)
        denominator = (ai - aj) + (bj - bi)
        r = torch.where(denominator.abs() < 1e-10, torch.ones_like(ai), (ai - aj) / torch.where(denominator.abs() < 1e-10, torch.ones_like(ai), denominator))
        r = r.detach()
        return torch.cat([oa.detach() + r * (ai - ai.detach()) + (1 - r) * (aj - aj.detach()), ob.detach()])

    xi = torch.cat([x, torch.zeros_like(x)]).requires_grad_(True)
    handles = [m.register_forward_hook(relu_hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    handles += [m.register_forward_hook(pool_hook) for m in model.modules() if isinstance(m, nn.MaxPool2d)]
    try:
        out = model(xi)
        grad, = torch.autograd.grad(out[:n].gather(1, y[:, None]).sum() - out[n:].gather(1, y[:, None]).sum(), [xi])
    finally:
        for h in handles:
            h.remove()
    return x * grad[:n]


def _windows(size, window, stride):
    return [i * stride for i in range(math.ceil((size - window) / stride) + 1)]


def occlusion(model, x, y, window=4, stride=2):
    n, c, h, w = x.shape
    base = scores(model, x, y)
    total = torch.zeros_like(x)
    count = torch.zeros_like(x)
    masks = []
    for i in _windows(h, window, stride):
        for j in _windows(w, window, stride):
            m = torch.zeros(1, c, h, w, dtype=x.dtype)
            m[:, :, i:i + window, j:j + window] = 1
            masks.append(m)
    masks = torch.cat(masks)  # [P, C, H, W]
    per = max(1, MAX_IMAGES // n)
    for s in range(0, masks.shape[0], per):
        mk = masks[s:s + per]
        occluded = (x.unsqueeze(0) * (1 - mk.unsqueeze(1))).flatten(0, 1)
        diff = base.repeat(mk.shape[0]) - scores(model, occluded, y.repeat(mk.shape[0]))
        diff = diff.view(mk.shape[0], n, 1, 1, 1)
        total += (diff * mk.unsqueeze(1)).sum(0)
        count += mk.sum(0, keepdim=True)
    return total / count


def grid_mask(h, w):
    cols = math.ceil(w / GRID)
    return (torch.arange(h).view(-1, 1) // GRID) * cols + torch.arange(w).view(1, -1) // GRID


def _ablate(x, mask, present):
    """x with the features absent in `present` [S, M] set to the zero baseline: [S, N, C, H, W] flattened."""
    keep = present[:, mask.flatten()].view(present.shape[0], 1, 1, *mask.shape).to(x.dtype)
    return (x.unsqueeze(0) * keep).flatten(0, 1)


def feature_ablation(model, x, y):
    n = x.shape[0]
    mask = grid_mask(*x.shape[2:])
    m = int(mask.max()) + 1
    base = scores(model, x, y)
    present = 1 - torch.eye(m)
    per = max(1, MAX_IMAGES // n)
    diffs = []
    for s in range(0, m, per):
        p = present[s:s + per]
        diffs.append((base.repeat(p.shape[0]) - scores(model, _ablate(x, mask, p), y.repeat(p.shape[0]))).view(p.shape[0], n))
    d = torch.cat(diffs)  # [M, N]
    return d.t()[:, mask.flatten()].view(n, 1, *mask.shape).expand_as(x).contiguous()


def _lasso(z, target, weights, alpha=0.01, max_sweeps=10_000, tol=1e-10):
    """sklearn's weighted Lasso objective by cyclic coordinate descent with an unpenalised intercept, as the C#
    WeightedLasso (same stopping rule: no coefficient moves by more than 1e-10 of the largest, or 10,000 sweeps),
    for a batch of problems at once: z [B, S, M], target [B, S], weights [B, S] -> coefficients [B, M]."""
    z, target, weights = z.double(), target.double(), weights.double()
    v = weights / weights.sum(1, keepdim=True)
    zc = z - (v.unsqueeze(2) * z).sum(1, keepdim=True)
    residual = target - (v * target).sum(1, keepdim=True)
    vz = v.unsqueeze(2) * zc
    curvature = (vz * zc).sum(1)
    coef = torch.zeros(z.shape[0], z.shape[2], dtype=torch.float64)
    active = torch.ones(z.shape[0], dtype=torch.bool)
    for _ in range(max_sweeps):
        largest_step = torch.zeros(z.shape[0], dtype=torch.float64)
        for j in range(z.shape[2]):
            c = curvature[:, j]
            rho = c * coef[:, j] + (vz[:, :, j] * residual).sum(1)
            new = torch.where(c > 0, torch.sign(rho) * (rho.abs() - alpha).clamp(min=0) / c.clamp(min=1e-300), coef[:, j])
            step = torch.where(active, new - coef[:, j], torch.zeros_like(new))
            residual -= step.unsqueeze(1) * zc[:, :, j]
            coef[:, j] += step
            largest_step = torch.maximum(largest_step, step.abs())
        active &= largest_step > tol * coef.abs().amax(1)
        if not active.any():
            break
    return coef


def _surrogate(model, x, y, samples, generator, fit, sample_present):
    """One draw of coalitions shared by the batch (as the C# methods), all perturbed images in one forward pass."""
    n = x.shape[0]
    mask = grid_mask(*x.shape[2:])
    m = int(mask.max()) + 1
    present, weights = sample_present(m, samples, generator)
    out = scores(model, _ablate(x, mask, present), y.repeat(samples)).view(samples, n).t()  # [N, S]
    coef = fit(present.to(x.dtype).expand(n, -1, -1), out, weights.expand(n, -1))
    return coef.to(x.dtype)[:, mask.flatten()].view(n, 1, *mask.shape).expand_as(x).contiguous()


def lime(model, x, y, samples=25, generator=None):
    def sample_present(m, s, g):
        present = torch.bernoulli(torch.full((s, m), 0.5), generator=g)
        cosine = F.cosine_similarity(torch.ones(1, m), present.clamp(min=0), dim=1)
        weights = torch.exp(-((1 - cosine) ** 2) / 1.0)  # Captum's exponential kernel on cosine distance, width 1
        return present, weights
    return _surrogate(model, x, y, samples, generator, _lasso, sample_present)


def kernel_shap(model, x, y, samples=25, generator=None):
    def sample_present(m, s, g):
        sizes = torch.arange(1, m)
        probs = (m - 1) / (sizes * (m - sizes)).to(torch.float64)
        counts = sizes[torch.multinomial(probs / probs.sum(), s, replacement=True, generator=g)]
        present = torch.zeros(s, m)
        for i, c in enumerate(counts.tolist()):
            present[i, torch.randperm(m, generator=g)[:c]] = 1
        return present, torch.ones(s)

    def wls(z, target, weights):
        root = weights.double().sqrt().unsqueeze(2)
        design = torch.cat([z.double(), torch.ones(*z.shape[:2], 1, dtype=torch.float64)], 2) * root
        return (torch.linalg.pinv(design) @ (target.double().unsqueeze(2) * root))[:, :-1, 0]
    return _surrogate(model, x, y, samples, generator, wls, sample_present)


def grad_cam(model, x, y):
    """Captum's LayerGradCam on the model's feature map, upsampled (nearest) to the input size."""
    f = model.features(x).detach().requires_grad_(True)
    grad, = torch.autograd.grad(model.classify(f).gather(1, y[:, None]).sum(), [f])
    cam = (grad.mean((2, 3), keepdim=True) * f).sum(1, keepdim=True)
    return F.interpolate(cam.detach(), size=x.shape[2:], mode="nearest")


METHODS = {
    "saliency": saliency,
    "input_x_gradient": input_x_gradient,
    "integrated_gradients": integrated_gradients,
    "smoothgrad": smoothgrad,
    "gradient_shap": gradient_shap,
    "deeplift": deeplift,
    "guided_backprop": guided_backprop,
    "deconvolution": deconvolution,
    "occlusion": occlusion,
    "feature_ablation": feature_ablation,
    "grad_cam": grad_cam,
    "lime": lime,
    "kernel_shap": kernel_shap,
}
SEEDED = {"smoothgrad", "gradient_shap", "lime", "kernel_shap"}
