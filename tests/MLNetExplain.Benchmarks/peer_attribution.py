"""The attribution methods of MLNetExplain written with plain PyTorch, for the benchmark's `attribution` section.

Captum is on neither Debian nor npm, so the peer is each algorithm as Captum defines it (the definitions in
docs/attribution.md), with the settings the C# section uses: seed 001's for the methods it compares (IG with a zero
baseline and 50 Gauss-Legendre steps, SmoothGrad with 50 samples, GradientShap with 5 samples and a N(0, 0.001^2)
baseline distribution, Occlusion with a (C, 4, 4) window and stride 2), Captum's defaults for the rest, and our
defaults for AttEXplore (seed 003) and learned propagation (seed 002), which Captum lacks. Chunking is the same on
both sides: at most MAX_IMAGES images per forward pass.
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


def _dct_matrix(n, dtype):
    """The orthonormal DCT-II matrix [n, n] (rows are frequencies), built in float64 as the C# Dct."""
    k = torch.arange(n, dtype=torch.float64).view(-1, 1)
    i = torch.arange(n, dtype=torch.float64).view(1, -1)
    scale = torch.full_like(k, math.sqrt(2.0 / n))
    scale[0] = math.sqrt(1.0 / n)
    return (scale * torch.cos(math.pi * (2 * i + 1) * k / (2.0 * n))).to(dtype)


def _dct2(x, inverse=False):
    """2-D DCT-II (or its inverse) over the last two dimensions as matrix products, matrices built per call as ours."""
    ch, cw = _dct_matrix(x.shape[-2], x.dtype), _dct_matrix(x.shape[-1], x.dtype)
    return ch.t() @ x @ cw if inverse else ch @ x @ cw.t()


def _smoothing_kernel(size, channels, dtype):
    density = torch.exp(-0.5 * torch.linspace(-3, 3, size, dtype=torch.float64) ** 2)
    kernel = density.view(-1, 1) * density.view(1, -1)
    return (kernel / kernel.sum()).expand(channels, 1, size, size).contiguous().to(dtype)


def attexplore(model, x, y, generator=None, eps=16 / 255, steps=10, samples=20, rho=0.5, sigma=16 / 255, mu=1.0,
               kernel_size=7, di_prob=0.5, di_rate=1.15):
    """AttEXplore as the C# AttExplore with its defaults: T sign steps of eps / T ascending the logits' summed
    cross-entropy; each step's gradient is the mean over N spectrum samples IDCT(DCT(x_t + noise) * mask) (the
    gradient at the sample as a new leaf, seen through input diversity), TI-smoothed, L1-normalised per image and
    accumulated with momentum; map sum_t (x_{t+1} - x_t) * g_t. Same draw order per sample (noise, mask, DI size,
    offsets, coin; shared by the batch), same chunking (whole samples per forward, at most MAX_IMAGES rows, one
    forward per image size)."""
    n, c, h, w = x.shape
    alpha = eps / steps
    kernel = _smoothing_kernel(kernel_size, c, x.dtype)
    padded_h, padded_w = int(h * di_rate), int(w * di_rate)

    def draw():
        noise = torch.randn(1, c, h, w, generator=generator) * sigma
        mask = torch.rand(1, c, h, w, generator=generator) * (2 * rho) + (1 - rho)
        dh = int(torch.randint(h, padded_h, (1,), generator=generator)) if padded_h > h else h
        dw = int(torch.randint(w, padded_w, (1,), generator=generator)) if padded_w > w else w
        top = int(torch.randint(0, padded_h - dh, (1,), generator=generator)) if padded_h > dh else 0
        left = int(torch.randint(0, padded_w - dw, (1,), generator=generator)) if padded_w > dw else 0
        coin = float(torch.rand(1, generator=generator)) < di_prob
        return noise, mask, (dh, dw, top, left) if coin else None

    def diversify(images, di):
        if di is None:
            return images
        dh, dw, top, left = di
        if (dh, dw) != (h, w):
            images = F.interpolate(images, size=(dh, dw), mode="bilinear", align_corners=False)
        if (dh, dw) == (padded_h, padded_w):
            return images
        return F.pad(images, (left, padded_w - dw - left, top, padded_h - dh - top))

    def loss_gradient(rows, targets, first, draws):
        leaf = rows.detach().requires_grad_(True)
        groups = {}  # image size -> [(images, targets)], in order of first appearance as LINQ's GroupBy
        row = 0
        while row < leaf.shape[0]:
            sample = (first + row) // n
            length = min(leaf.shape[0] - row, (sample + 1) * n - (first + row))
            images = diversify(leaf[row:row + length], draws[sample][2])
            groups.setdefault(images.shape[2:], []).append((images, targets[row:row + length]))
            row += length
        loss = sum(-F.log_softmax(model(torch.cat([i for i, _ in g])), 1).gather(1, torch.cat([t for _, t in g])[:, None]).sum()
                   for g in groups.values())
        grad, = torch.autograd.grad(loss, [leaf])
        return grad

    def mean_gradient(current):
        total = torch.zeros_like(current)
        per_forward = min(max(MAX_IMAGES // n, 1), samples)
        for done in range(0, samples, per_forward):
            k = min(per_forward, samples - done)
            draws = [draw() for _ in range(k)]
            noise = torch.cat([d[0] for d in draws]).unsqueeze(1)
            mask = torch.cat([d[1] for d in draws]).unsqueeze(1)
            explored = _dct2(_dct2(current.unsqueeze(0) + noise) * mask, inverse=True).flatten(0, 1)
            repeated = y.repeat(k)
            grads = [loss_gradient(explored[s:s + MAX_IMAGES], repeated[s:s + MAX_IMAGES], s, draws)
                     for s in range(0, k * n, MAX_IMAGES)]
            per_sample = torch.cat(grads).view(k, *current.shape)
            for s in range(k):
                total += per_sample[s]
        return total / samples

    current = x.clone()
    momentum = torch.zeros_like(x)
    attributions = torch.zeros_like(x)
    for _ in range(steps):
        g = F.conv2d(mean_gradient(current), kernel, padding=kernel_size // 2, groups=c)
        l1 = g.abs().mean((1, 2, 3), keepdim=True)
        g = g / torch.where(l1 > 0, l1, torch.ones_like(l1))
        momentum.mul_(mu).add_(g)
        stepped = current + momentum.sign() * alpha
        nxt = (x + (stepped - x).clamp(-eps, eps)).clamp(0, 1)
        attributions += (nxt - current) * momentum
        current.copy_(nxt)
    return attributions


def _lp_optimise(model, x, y, steps, lr, scale, positive_centre, negative_centre, mask_weight, losses):
    betas, adam_eps = (0.9, 0.999), 1e-8  # PyTorch's Adam defaults, as ours
    recorded = {}

    def record(m, inp, out):
        recorded[m] = inp[0].detach().clone()

    with torch.no_grad():
        _with_relu_hooks(model, record, lambda: model(torch.zeros_like(x)))
    layers = {m: (torch.zeros_like(z).requires_grad_(True), z) for m, z in recorded.items()}
    params = [w for w, _ in layers.values()]

    def rule(m, inp, out):
        # Equal in value to relu(z), derivative relu'(z) + tanh(w (z - z_ref)): differentiable in w for create_graph.
        w, ref = layers[m]
        z = inp[0].detach()
        factor = (z > 0).to(z.dtype) + torch.tanh(w * (z - ref))
        return out.detach() + (inp[0] - z) * factor

    with torch.no_grad():
        original = F.log_softmax(model(x), 1).gather(1, y[:, None]).squeeze(1)

    def evaluate(create_graph):
        def gradient():
            xi = x.detach().requires_grad_(True)
            grad, = torch.autograd.grad(model(xi).gather(1, y[:, None]).sum(), [xi], create_graph=create_graph)
            return grad
        attributions = x * _with_relu_hooks(model, rule, gradient)
        with torch.set_grad_enabled(create_graph):
            flat = attributions.flatten(1)
            low = flat.amin(1, keepdim=True)
            scaled = ((flat - low) / (flat.amax(1, keepdim=True) - low).clamp(min=1e-12)).view_as(x)
            positive = torch.sigmoid(scale * (scaled - positive_centre))
            negative = torch.sigmoid(scale * (scaled - negative_centre))
            masked = F.log_softmax(model(torch.cat([x * positive, x * negative])), 1).gather(1, y.repeat(2)[:, None]).squeeze(1)
            n = x.shape[0]
            sign_aware = (original - masked[:n]) + (original - masked[n:])
            mask_loss = positive.flatten(1).mean(1) + (1 - negative).flatten(1).mean(1)
            return attributions, sign_aware + mask_weight * mask_loss

    first = [torch.zeros_like(p) for p in params]
    second = [torch.zeros_like(p) for p in params]
    for step in range(1, steps + 1):
        _, loss = evaluate(True)
        grads = torch.autograd.grad(loss.sum(), params)
        losses.append(loss.detach())
        with torch.no_grad():
            c1, c2 = 1 - betas[0] ** step, 1 - betas[1] ** step
            for p, m1, m2, g in zip(params, first, second, grads):
                m1.mul_(betas[0]).add_(g, alpha=1 - betas[0])
                m2.mul_(betas[1]).addcmul_(g, g, value=1 - betas[1])
                p.addcdiv_(m1, (m2 / c2).sqrt_().add_(adam_eps), value=-lr / c1)
    attributions, loss = evaluate(False)
    losses.append(loss.detach())
    return attributions.detach()


def learned_propagation(model, x, y, steps=40, lr=0.2, scale=10.0, positive_centre=0.75, negative_centre=0.25,
                        mask_weight=0.1, losses=None):
    """Learned propagation rules as the C# LearnedPropagation with its defaults: per image, a plugin w per ReLU
    pre-activation element (the rule relu'(z) + tanh(w (z - z_ref)), z_ref at an all-zero image) optimised by Adam
    on the sign-aware mask loss of the Input x Gradient map, a second-order gradient through create_graph; the map
    after the last step. At most MAX_IMAGES images optimised together. `losses`, when given, receives each step's
    per-image loss."""
    losses = [] if losses is None else losses
    return torch.cat([_lp_optimise(model, x[i:i + MAX_IMAGES], y[i:i + MAX_IMAGES], steps, lr, scale, positive_centre,
                                   negative_centre, mask_weight, losses)
                      for i in range(0, x.shape[0], MAX_IMAGES)])


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
    "attexplore": attexplore,
    "learned_propagation": learned_propagation,
}
SEEDED = {"smoothgrad", "gradient_shap", "lime", "kernel_shap", "attexplore"}
