using MLNetExplain.Torch.Interop;

namespace MLNetExplain.Torch.NN;

/// <summary>How a loss reduces over the batch (libtorch's at::Reduction codes).</summary>
public enum Reduction
{
    /// <summary>Per-element losses.</summary>
    None = 0,
    /// <summary>The mean over elements (the default).</summary>
    Mean = 1,
    /// <summary>The sum over elements.</summary>
    Sum = 2,
}

/// <summary>Interpolation modes for <see cref="Functional.Interpolate"/>.</summary>
public enum InterpolationMode
{
    /// <summary>Nearest neighbour (PyTorch's legacy "nearest").</summary>
    Nearest,
    /// <summary>Bilinear.</summary>
    Bilinear,
}

/// <summary>Padding modes for <see cref="Functional.Pad"/>.</summary>
public enum PaddingMode
{
    /// <summary>A constant value.</summary>
    Constant,
    /// <summary>Mirror without repeating the edge.</summary>
    Reflect,
    /// <summary>Repeat the edge.</summary>
    Replicate,
}

/// <summary>Stateless neural-network functions with PyTorch's semantics and defaults (torch.nn.functional).</summary>
public static class Functional
{
    /// <summary>2-D convolution over NCHW input; weight is [out, in/groups, kh, kw].</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
        long dilation = 1, long groups = 1) =>
        Aten.Conv2d.Call(input, weight, bias, new[] { stride, stride }, new[] { padding, padding },
            new[] { dilation, dilation }, groups);

    /// <summary>2-D transposed convolution; weight is [in, out/groups, kh, kw].</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1,
        long padding = 0, long outputPadding = 0, long groups = 1, long dilation = 1) =>
        Aten.ConvTranspose2d.Call(input, weight, bias, new[] { stride, stride }, new[] { padding, padding },
            new[] { outputPadding, outputPadding }, groups, new[] { dilation, dilation });

    /// <summary>
    /// Batch normalisation. In training mode it normalises with batch statistics and updates the running
    /// buffers in place (running = (1 - momentum) * running + momentum * batch, unbiased variance), as PyTorch.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null,
        Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5) =>
        Aten.BatchNorm.Call(input, weight, bias, runningMean, runningVar, training, momentum, eps, true);

    /// <summary>y = x W^T + b.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) => Aten.Linear.Call(input, weight, bias);

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor input) => Aten.Relu.Call(input);

    /// <summary>x for x &gt; 0, slope * x otherwise.</summary>
    public static Tensor LeakyRelu(Tensor input, double negativeSlope = 0.01) => Aten.LeakyRelu.Call(input, negativeSlope);

    /// <summary>log(1 + exp(beta x)) / beta, linear above threshold (PyTorch's Softplus).</summary>
    public static Tensor Softplus(Tensor input, double beta = 1, double threshold = 20) =>
        Aten.Softplus.Call(input, beta, threshold);

    /// <summary>The logistic function.</summary>
    public static Tensor Sigmoid(Tensor input) => Aten.Sigmoid.Call(input);

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor input) => Aten.Tanh.Call(input);

    /// <summary>Softmax along a dimension.</summary>
    public static Tensor Softmax(Tensor input, long dim) => Aten.Softmax.Call(input, dim);

    /// <summary>Log-softmax along a dimension, computed stably.</summary>
    public static Tensor LogSoftmax(Tensor input, long dim) => Aten.LogSoftmax.Call(input, dim);

    /// <summary>Max pooling; stride defaults to the kernel size.</summary>
    public static Tensor MaxPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0) =>
        Aten.MaxPool2d.Call(input, new[] { kernelSize, kernelSize }, Pair(stride ?? kernelSize), Pair(padding));

    /// <summary>Average pooling; stride defaults to the kernel size.</summary>
    public static Tensor AvgPool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0) =>
        Aten.AvgPool2d.Call(input, new[] { kernelSize, kernelSize }, Pair(stride ?? kernelSize), Pair(padding));

    /// <summary>Average pooling to a fixed output size.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, long outputHeight, long outputWidth) =>
        Aten.AdaptiveAvgPool2d.Call(input, new[] { outputHeight, outputWidth });

    /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) when training.</summary>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true) => Aten.Dropout.Call(input, p, training);

    /// <summary>Resizes NCHW input to height x width (bilinear uses align_corners=false, PyTorch's default).</summary>
    public static Tensor Interpolate(Tensor input, long height, long width, InterpolationMode mode = InterpolationMode.Nearest,
        bool alignCorners = false) => mode switch
        {
            InterpolationMode.Nearest => Aten.UpsampleNearest2d.Call(input, new[] { height, width }),
            InterpolationMode.Bilinear => Aten.UpsampleBilinear2d.Call(input, new[] { height, width }, alignCorners),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };

    /// <summary>
    /// Pads the last dimensions; <paramref name="pad"/> lists (before, after) pairs starting from the last
    /// dimension, as torch.nn.functional.pad. Reflect and replicate take 4 values on NCHW input.
    /// </summary>
    public static Tensor Pad(Tensor input, long[] pad, PaddingMode mode = PaddingMode.Constant, double value = 0) => mode switch
    {
        PaddingMode.Constant => Aten.ConstantPadNd.Call(input, pad, value),
        PaddingMode.Reflect => Aten.ReflectionPad2d.Call(input, pad),
        PaddingMode.Replicate => Aten.ReplicationPad2d.Call(input, pad),
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>Cross-entropy of logits [N, C] against int64 class indices [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean,
        double labelSmoothing = 0) =>
        Aten.CrossEntropyLoss.Call(logits, target, OpArg.None, (long)reduction, -100L, labelSmoothing);

    /// <summary>Negative log-likelihood of log-probabilities [N, C] against int64 class indices [N].</summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Reduction reduction = Reduction.Mean) =>
        Aten.NllLoss.Call(logProbabilities, target, OpArg.None, (long)reduction);

    /// <summary>Mean squared error.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Aten.MseLoss.Call(input, target, (long)reduction);

    /// <summary>2-D FFT over the last two dimensions (complex result).</summary>
    public static Tensor Fft2(Tensor input, string? norm = null) => Aten.FftFft2.Call(input, OpArg.None, new long[] { -2, -1 }, norm);

    /// <summary>Inverse 2-D FFT over the last two dimensions (complex result).</summary>
    public static Tensor Ifft2(Tensor input, string? norm = null) => Aten.FftIfft2.Call(input, OpArg.None, new long[] { -2, -1 }, norm);

    /// <summary>
    /// Orthonormal 2-D DCT-II over the last two dimensions (scipy's dctn(type=2, norm="ortho")),
    /// as matrix products with the DCT basis, so it is differentiable and exact in float64.
    /// </summary>
    public static Tensor Dct2(Tensor input)
    {
        using var scope = Torch.NewDisposeScope();
        var h = input.Size(-2);
        var w = input.Size(-1);
        var bh = DctBasis(h, input);
        var bw = DctBasis(w, input);
        using var bwT = bw.Transpose(0, 1);
        using var rows = bh.Matmul(input);
        return rows.Matmul(bwT).MoveToOuterDisposeScope();
    }

    /// <summary>The inverse of <see cref="Dct2"/> (orthonormal DCT-III).</summary>
    public static Tensor Idct2(Tensor input)
    {
        using var scope = Torch.NewDisposeScope();
        var bh = DctBasis(input.Size(-2), input);
        var bw = DctBasis(input.Size(-1), input);
        using var bhT = bh.Transpose(0, 1);
        using var rows = bhT.Matmul(input);
        return rows.Matmul(bw).MoveToOuterDisposeScope();
    }

    // C[k, n] = s_k cos(pi (2n + 1) k / 2N), s_0 = sqrt(1/N), s_k = sqrt(2/N): an orthogonal matrix.
    private static Tensor DctBasis(long n, Tensor like)
    {
        var values = new double[n * n];
        for (var k = 0; k < n; k++)
        {
            var s = k == 0 ? Math.Sqrt(1.0 / n) : Math.Sqrt(2.0 / n);
            for (var j = 0; j < n; j++)
            {
                values[k * n + j] = s * Math.Cos(Math.PI * (2 * j + 1) * k / (2.0 * n));
            }
        }

        using var basis = Tensor.From(values, n, n);
        using var typed = basis.To(like.Type);
        return typed.To(like.Device);
    }

    private static long[] Pair(long v) => [v, v];
}
