namespace MLNetExplain.Torch.NN;

/// <summary>Weight initialisations with PyTorch's formulas (torch.nn.init), drawn from an optional generator.</summary>
public static class Init
{
    /// <summary>Fan-in of a weight: size(1) times the kernel area (PyTorch's _calculate_fan_in_and_fan_out).</summary>
    public static long FanIn(long[] weightShape)
    {
        long receptive = 1;
        for (var k = 2; k < weightShape.Length; k++)
        {
            receptive *= weightShape[k];
        }

        return weightShape[1] * receptive;
    }

    /// <summary>
    /// The default of nn.Linear and nn.Conv*: kaiming_uniform_(a=sqrt(5)), i.e. U(-b, b) with b = 1/sqrt(fan_in).
    /// </summary>
    public static Tensor DefaultWeight(long[] shape, Generator? generator) => Uniform(shape, 1.0 / Math.Sqrt(FanIn(shape)), generator);

    /// <summary>The default bias of nn.Linear and nn.Conv*: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public static Tensor DefaultBias(long size, long fanIn, Generator? generator) => Uniform([size], 1.0 / Math.Sqrt(fanIn), generator);

    /// <summary>kaiming_normal_(mode="fan_out", nonlinearity="relu"): N(0, 2/fan_out), torchvision's ResNet choice.</summary>
    public static Tensor KaimingNormalFanOut(long[] shape, Generator? generator)
    {
        long receptive = 1;
        for (var k = 2; k < shape.Length; k++)
        {
            receptive *= shape[k];
        }

        var std = Math.Sqrt(2.0 / (shape[0] * receptive));
        var t = Tensor.Empty(shape);
        return t.Normal_(0, std, generator);
    }

    /// <summary>U(-bound, bound).</summary>
    public static Tensor Uniform(long[] shape, double bound, Generator? generator)
    {
        var t = Tensor.Empty(shape);
        return t.Uniform_(-bound, bound, generator);
    }
}
