namespace MLNetExplain.Torch.NN;

/// <summary>2-D convolution layer with PyTorch's default initialisation (nn.Conv2d).</summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates the layer; weights are drawn from <paramref name="generator"/> (or the global stream).</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true,
        long groups = 1, long dilation = 1, Generator? generator = null)
    {
        (InChannels, OutChannels, KernelSize, Stride, Padding, Groups, Dilation) =
            (inChannels, outChannels, kernelSize, stride, padding, groups, dilation);
        long[] shape = [outChannels, inChannels / groups, kernelSize, kernelSize];
        Weight = RegisterParameter("weight", Init.DefaultWeight(shape, generator));
        Bias = bias ? RegisterParameter("bias", Init.DefaultBias(outChannels, Init.FanIn(shape), generator)) : null;
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }
    /// <summary>Output channels.</summary>
    public long OutChannels { get; }
    /// <summary>Square kernel size.</summary>
    public long KernelSize { get; }
    /// <summary>Stride in both directions.</summary>
    public long Stride { get; }
    /// <summary>Zero padding on each side.</summary>
    public long Padding { get; }
    /// <summary>Channel groups.</summary>
    public long Groups { get; }
    /// <summary>Kernel dilation.</summary>
    public long Dilation { get; }
    /// <summary>[out, in/groups, k, k].</summary>
    public Tensor Weight { get; }
    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) =>
        Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
}

/// <summary>2-D transposed convolution layer (nn.ConvTranspose2d); weight is [in, out/groups, k, k].</summary>
public sealed class ConvTranspose2d : Module
{
    /// <summary>Creates the layer with PyTorch's default initialisation.</summary>
    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long outputPadding = 0, bool bias = true, long groups = 1, long dilation = 1, Generator? generator = null)
    {
        (Stride, Padding, OutputPadding, Groups, Dilation) = (stride, padding, outputPadding, groups, dilation);
        long[] shape = [inChannels, outChannels / groups, kernelSize, kernelSize];
        Weight = RegisterParameter("weight", Init.DefaultWeight(shape, generator));
        Bias = bias ? RegisterParameter("bias", Init.DefaultBias(outChannels, Init.FanIn(shape), generator)) : null;
    }

    /// <summary>Stride (upsampling factor).</summary>
    public long Stride { get; }
    /// <summary>Implicit padding removed from the output.</summary>
    public long Padding { get; }
    /// <summary>Extra size added to one side of the output.</summary>
    public long OutputPadding { get; }
    /// <summary>Channel groups.</summary>
    public long Groups { get; }
    /// <summary>Kernel dilation.</summary>
    public long Dilation { get; }
    /// <summary>[in, out/groups, k, k].</summary>
    public Tensor Weight { get; }
    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) =>
        Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
}

/// <summary>
/// Batch normalisation over NCHW (nn.BatchNorm2d): affine weight 1 and bias 0, running mean 0 and
/// variance 1, and a num_batches_tracked counter, all in the state dict under PyTorch's names.
/// </summary>
public sealed class BatchNorm2d : Module
{
    /// <summary>Creates the layer for <paramref name="features"/> channels.</summary>
    public BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
    {
        (Eps, Momentum) = (eps, momentum);
        Weight = RegisterParameter("weight", Tensor.Ones([features]));
        Bias = RegisterParameter("bias", Tensor.Zeros([features]));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([features]));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones([features]));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], ScalarType.Int64));
    }

    /// <summary>Added to the variance for stability.</summary>
    public double Eps { get; }
    /// <summary>Weight of the newest batch in the running statistics.</summary>
    public double Momentum { get; }
    /// <summary>Scale.</summary>
    public Tensor Weight { get; }
    /// <summary>Shift.</summary>
    public Tensor Bias { get; }
    /// <summary>Running mean used in eval mode.</summary>
    public Tensor RunningMean { get; }
    /// <summary>Running (unbiased) variance used in eval mode.</summary>
    public Tensor RunningVar { get; }
    /// <summary>Training batches seen.</summary>
    public Tensor NumBatchesTracked { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4)
        {
            throw new ArgumentException($"BatchNorm2d expects NCHW input, got [{string.Join(", ", input.Shape)}].", nameof(input));
        }

        if (IsTraining)
        {
            using var noGrad = Torch.NoGrad();
            NumBatchesTracked.Add_(1);
        }

        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, IsTraining, Momentum, Eps);
    }
}

/// <summary>Fully connected layer y = x W^T + b (nn.Linear) with PyTorch's default initialisation.</summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer.</summary>
    public Linear(long inFeatures, long outFeatures, bool bias = true, Generator? generator = null)
    {
        long[] shape = [outFeatures, inFeatures];
        Weight = RegisterParameter("weight", Init.DefaultWeight(shape, generator));
        Bias = bias ? RegisterParameter("bias", Init.DefaultBias(outFeatures, inFeatures, generator)) : null;
    }

    /// <summary>[out, in].</summary>
    public Tensor Weight { get; }
    /// <summary>[out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}

/// <summary>Runs children in order (nn.Sequential); children are named "0", "1", ... unless named explicitly.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>Creates the container with children named by position.</summary>
    public Sequential(params Module[] layers)
    {
        for (var k = 0; k < layers.Length; k++)
        {
            _layers.Add(RegisterModule(k.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[k]));
        }
    }

    /// <summary>Creates the container with named children.</summary>
    public Sequential(params (string Name, Module Module)[] layers)
    {
        foreach (var (name, module) in layers)
        {
            _layers.Add(RegisterModule(name, module));
        }
    }

    /// <summary>The children in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        // Intermediate results are freed as soon as the next layer has consumed them.
        var x = input;
        foreach (var layer in _layers)
        {
            var next = layer.Forward(x);
            if (!ReferenceEquals(x, input))
            {
                x.Dispose();
            }

            x = next;
        }

        return ReferenceEquals(x, input) ? new Tensor(input.ShareNative()) : x;
    }
}

/// <summary>Flattens dimensions start..end (nn.Flatten, default from 1).</summary>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Flatten(startDim, endDim);
}

/// <summary>Max pooling (nn.MaxPool2d).</summary>
public sealed class MaxPool2d(long kernelSize, long? stride = null, long padding = 0) : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, kernelSize, stride, padding);
}

/// <summary>Average pooling to a fixed size (nn.AdaptiveAvgPool2d).</summary>
public sealed class AdaptiveAvgPool2d(long outputHeight, long outputWidth) : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, outputHeight, outputWidth);
}

/// <summary>Dropout (nn.Dropout); active only in training mode, drawn from libtorch's global stream.</summary>
public sealed class Dropout(double p = 0.5) : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, p, IsTraining);
}
