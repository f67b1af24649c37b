using MLNetExplain.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// AttEXplore (Zhu et al., ICLR 2024): attribution along a transferable adversarial path. From x_0 = x, T sign
/// steps of size Epsilon / T explore the L-infinity ball of radius Epsilon (clipped to the value box); each step's
/// gradient g_t combines four transfer-attack devices: the mean over N spectrum samples x~ = IDCT(DCT(x_t + xi) * M)
/// with xi ~ N(0, sigma^2) and M ~ U(1 - rho, 1 + rho) elementwise (SSA), seen through input diversity (DI),
/// smoothed by a Gaussian kernel (TI) and accumulated with momentum after L1 normalisation (MI). The attribution is
/// the path sum sum_t (x_{t+1} - x_t) * g_t, a first-order split of the loss change along the path over the pixels.
/// </summary>
/// <remarks>
/// <para>
/// Follows the reference code (LMBTough/ATTEXPLORE, <c>core/ampe.py::FGSMGradSSA</c> and <c>AMPE</c>): the gradient
/// is taken with respect to the spectrum sample x~ (a new leaf, not chained through the DCT or the noise); per step,
/// G = mean_n grad, G = TI(G), G = G / mean|G| per image, g_t = mu g_{t-1} + G; x_{t+1} = clip_box(x + clip_eps(x_t
/// +/- (Epsilon / T) sign(g_t) - x)); and <see cref="AttExploreOptions"/> defaults are the reference's. Where we differ:
/// </para>
/// <list type="bullet">
/// <item>The loss is the cross-entropy of the model's logits and the path ascends it (away from the target class,
/// the adversarial exploration of the paper), giving sum_t (x_{t+1} - x_t) * g_t. The reference's model ends in a
/// Softmax and <c>use_softmax</c> adds another before <c>F.cross_entropy</c> (cross-entropy of a doubly softmaxed
/// output), and its sign step descends that loss (towards the target) with attribution -sum_t (x_{t+1} - x_t) * g_t.
/// <see cref="AttExploreOptions.ReferenceCompatible"/> reproduces both. Either way each term is a step along sign(g_t)
/// times g_t, so the map is non-negative wherever the path starts inside the value box (a pixel's step is shortened,
/// never reversed, by the clipping): it ranks how much the explored gradients weigh each pixel, not the sign of its
/// effect. On a model linear in its input with no pixel clipped the two conventions give the same map.</item>
/// <item>The reference's final gradient at x_T (N more passes) is never used by its attribution; we skip it.</item>
/// <item>An image whose step gradient is all zero keeps a zero step (the reference divides by mean|G| = 0 and gives NaN).</item>
/// <item>Per-image losses are summed, not averaged over the batch; the L1 normalisation makes the scale irrelevant.</item>
/// <item>Randomness follows <see cref="SmoothGrad"/>'s convention: per step and spectrum sample, in that order, the
/// seeded <see cref="Generator"/> draws one noise image and one mask (Float32, shared by the images of the batch;
/// the reference draws them per image) and the input-diversity size, offsets and coin (shared by the batch, as in
/// the reference). So results repeat for a seed and depend neither on <see cref="AttExploreOptions.MaxImagesPerForward"/>
/// nor on the batch an image is in (up to the rounding of the model's batched kernels).</item>
/// <item>Non-square images: the diversity size is drawn per axis (the reference assumes square images).</item>
/// </list>
/// <para>
/// The DCT pair is orthonormal (<see cref="Dct"/>); the reference's unnormalised pair gives the same x~. Inputs are
/// images [N, C, H, W]. Cost: T x N gradient evaluations per image (200 by default).
/// </para>
/// </remarks>
public sealed class AttExplore : AttributionMethod, IDisposable
{
    private readonly Generator _generator;

    /// <summary>Creates the method over a classifier returning logits [N, K].</summary>
    /// <param name="model">The classifier; not modified. With input diversity on, it must accept the enlarged images.</param>
    /// <param name="options">The settings; null takes the reference code's defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public AttExplore(nn.Module<Tensor, Tensor> model, AttExploreOptions? options = null)
        : base(model)
    {
        Options = options ?? new AttExploreOptions();
        Options.Validate();
        _generator = new Generator(unchecked((ulong)Options.Seed));
    }

    /// <inheritdoc />
    public override string Name => "AttEXplore";

    /// <summary>The settings.</summary>
    public AttExploreOptions Options { get; }

    /// <summary>Frees the method's generator.</summary>
    public void Dispose() => _generator.Dispose();

    /// <inheritdoc />
    protected override Tensor Compute(Tensor inputs, Tensor targets) => Explore(inputs, targets, _generator).Attributions;

    /// <summary>
    /// Attributions and the explored end points x_T (both shaped like the inputs) from the method's own generator;
    /// validates like <see cref="AttributionMethod.Attribute"/>.
    /// </summary>
    internal (Tensor Attributions, Tensor Endpoints) AttributeWithEndpoints(Tensor inputs, Tensor targets)
    {
        AttributionInputs.Check(inputs, targets);
        AttributionInputs.CheckModel(Model, inputs);
        using var mode = new EvalMode(Model);
        using var scope = NewDisposeScope();
        var (attributions, endpoints) = Explore(inputs.detach(), targets.to_type(ScalarType.Int64).to(inputs.device), _generator);
        return (attributions.detach().MoveToOuterDisposeScope(), endpoints.detach().MoveToOuterDisposeScope());
    }

    private (Tensor Attributions, Tensor Endpoints) Explore(Tensor x, Tensor targets, Generator generator)
    {
        if (x.dim() != 4)
        {
            throw new ArgumentException($"AttEXplore explains images [N, C, H, W]; got inputs [{AttributionInputs.Shape(x)}].", "inputs");
        }

        var o = Options;
        double alpha = o.Epsilon / o.Steps;
        double direction = o.ReferenceCompatible ? -1 : 1;
        var kernel = o.SmoothingKernelSize > 1 ? SmoothingKernel(o.SmoothingKernelSize, x.shape[1], x.dtype, x.device) : null;
        var current = x.clone();
        var momentum = zeros_like(x);
        var attributions = zeros_like(x);
        for (int t = 0; t < o.Steps; t++)
        {
            using var stepScope = NewDisposeScope();
            var g = MeanSpectrumGradient(current, targets, generator);
            if (kernel is not null)
            {
                int r = o.SmoothingKernelSize / 2;
                g = nn.functional.conv2d(g, kernel, padding: [r, r], groups: x.shape[1]);
            }

            var l1 = g.abs().mean([1, 2, 3], keepdim: true);
            g = g / where(l1 > 0, l1, ones_like(l1));
            momentum.mul_(o.Momentum).add_(g);
            var stepped = current + momentum.sign() * (direction * alpha);
            var next = (x + (stepped - x).clamp(-o.Epsilon, o.Epsilon)).clamp(o.MinValue, o.MaxValue);
            attributions.add_((next - current) * momentum * direction);
            current.copy_(next);
        }

        return (attributions, current);
    }

    /// <summary>The mean over the spectrum samples of the loss gradient at x~ [N, C, H, W], samples added in draw order.</summary>
    private Tensor MeanSpectrumGradient(Tensor current, Tensor targets, Generator generator)
    {
        var o = Options;
        long n = current.shape[0];
        var sum = zeros_like(current);
        int samplesPerForward = (int)Math.Clamp(o.MaxImagesPerForward / n, 1, o.Samples);
        for (int done = 0; done < o.Samples; done += samplesPerForward)
        {
            using var chunkScope = NewDisposeScope();
            int k = Math.Min(samplesPerForward, o.Samples - done);
            var draws = Enumerable.Range(0, k).Select(_ => Draw(current, generator)).ToArray();
            var noise = cat(draws.Select(d => d.Noise).ToArray(), 0).unsqueeze(1);
            var mask = cat(draws.Select(d => d.Mask).ToArray(), 0).unsqueeze(1);
            // x~ = IDCT(DCT(x_t + xi) * M): [k, n, C, H, W] flattened sample-major.
            var explored = Dct.Inverse2d(Dct.Forward2d(current.unsqueeze(0) + noise) * mask).flatten(0, 1);
            var repeated = targets.repeat(k);
            var gradients = new List<Tensor>();
            for (long start = 0; start < k * n; start += o.MaxImagesPerForward)
            {
                long count = Math.Min(o.MaxImagesPerForward, k * n - start);
                gradients.Add(LossGradient(explored.narrow(0, start, count), repeated.narrow(0, start, count), start, n, draws));
            }

            var perSample = cat(gradients, 0).view([k, .. current.shape]);
            for (int s = 0; s < k; s++)
            {
                // One sample at a time, in draw order, so the rounding does not depend on the chunking.
                sum.add_(perSample[s]);
            }
        }

        return sum.div_(o.Samples);
    }

    /// <summary>The loss gradient with respect to rows [first, first + count) of the sample-major spectrum samples.</summary>
    private Tensor LossGradient(Tensor rows, Tensor targets, long first, long n, SampleDraw[] draws)
    {
        using var scope = NewDisposeScope();
        using var grad = enable_grad();
        var leaf = rows.detach().requires_grad_();
        // Rows of one sample share its diversity transform: transform each run of same-sample rows, then evaluate
        // the runs of each image size together (diversified and plain samples differ in size).
        var runs = new List<(Tensor Images, Tensor Targets)>();
        for (long row = 0; row < leaf.shape[0];)
        {
            long sample = (first + row) / n;
            long length = Math.Min(leaf.shape[0] - row, (sample + 1) * n - (first + row));
            runs.Add((Diversify(leaf.narrow(0, row, length), draws[sample]), targets.narrow(0, row, length)));
            row += length;
        }

        Tensor? loss = null;
        foreach (var group in runs.GroupBy(r => (r.Images.shape[2], r.Images.shape[3])))
        {
            var images = group.Count() == 1 ? group.First().Images : cat(group.Select(r => r.Images).ToArray(), 0);
            var groupTargets = group.Count() == 1 ? group.First().Targets : cat(group.Select(r => r.Targets).ToArray(), 0);
            var groupLoss = Loss(Model.call(images), groupTargets);
            loss = loss is null ? groupLoss : loss + groupLoss;
        }

        return Gradients.Of(loss!, leaf).detach().MoveToOuterDisposeScope();
    }

    /// <summary>The summed cross-entropy of the targets: of the logits, or of softmax(softmax(logits)) as the reference.</summary>
    private Tensor Loss(Tensor logits, Tensor targets)
    {
        AttributionInputs.CheckOutput(logits, targets, targets.shape[0]);
        var scores = Options.ReferenceCompatible ? logits.softmax(1).softmax(1) : logits;
        return -scores.log_softmax(1).gather(1, targets.view(-1, 1)).sum();
    }

    private Tensor Diversify(Tensor images, SampleDraw draw)
    {
        if (!draw.Diversify)
        {
            return images;
        }

        long height = images.shape[2], width = images.shape[3];
        var resized = draw.Height == height && draw.Width == width ? images
            : nn.functional.interpolate(images, [draw.Height, draw.Width], mode: InterpolationMode.Bilinear, align_corners: false);
        long bottom = draw.PaddedHeight - draw.Height - draw.Top, right = draw.PaddedWidth - draw.Width - draw.Left;
        return draw.PaddedHeight == draw.Height && draw.PaddedWidth == draw.Width ? resized
            : nn.functional.pad(resized, [draw.Left, right, draw.Top, bottom], PaddingModes.Constant, 0);
    }

    /// <summary>One spectrum sample's random numbers, in a fixed order: noise, mask, then the diversity size, offsets and coin.</summary>
    private SampleDraw Draw(Tensor current, Generator generator)
    {
        var o = Options;
        long[] oneImage = [1, .. current.shape[1..]];
        var noise = (randn(oneImage, ScalarType.Float32, generator: generator) * o.NoiseStdDev).to(current.dtype).to(current.device);
        var mask = (rand(oneImage, ScalarType.Float32, generator: generator) * (2 * o.SpectrumTuning) + (1 - o.SpectrumTuning)).to(current.dtype).to(current.device);
        long height = current.shape[2], width = current.shape[3];
        long paddedHeight = (long)(height * o.DiversityResizeRate), paddedWidth = (long)(width * o.DiversityResizeRate);
        // As the reference: a size in [H, H') (H' excluded) and a top offset in [0, H' - size) (the last excluded).
        long h = paddedHeight > height ? randint_long(height, paddedHeight, generator) : height;
        long w = paddedWidth > width ? randint_long(width, paddedWidth, generator) : width;
        long top = paddedHeight > h ? randint_long(0, paddedHeight - h, generator) : 0;
        long left = paddedWidth > w ? randint_long(0, paddedWidth - w, generator) : 0;
        bool diversify = rand([1], ScalarType.Float32, generator: generator).item<float>() < o.DiversityProbability;
        return new SampleDraw(noise, mask, diversify, h, w, top, left, paddedHeight, paddedWidth);
    }

    /// <summary>TI-FGSM's kernel [C, 1, k, k]: the outer product of the normal density at k points on [-3, 3], summing to 1.</summary>
    private static Tensor SmoothingKernel(int size, long channels, ScalarType dtype, Device device)
    {
        var density = Enumerable.Range(0, size).Select(i => Math.Exp(-0.5 * Math.Pow(-3 + 6.0 * i / (size - 1), 2))).ToArray();
        var values = density.SelectMany(a => density.Select(b => a * b)).ToArray();
        double total = values.Sum();
        var kernel = tensor(values.Select(v => v / total).ToArray(), [1, 1, size, size]);
        return kernel.expand(channels, 1, size, size).contiguous().to(dtype).to(device);
    }

    private sealed record SampleDraw(Tensor Noise, Tensor Mask, bool Diversify, long Height, long Width, long Top, long Left, long PaddedHeight, long PaddedWidth);
}
