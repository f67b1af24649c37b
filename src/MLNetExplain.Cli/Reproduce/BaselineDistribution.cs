using MLNetExplain.Attribution;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// A baseline method with a fixed baseline distribution, as an <see cref="IAttributionMethod"/>: seed 001 runs
/// GradientSHAP against baselines drawn from N(0, 0.001^2) rather than Captum's single zero image.
/// </summary>
internal sealed class BaselineDistribution : IAttributionMethod, IDisposable
{
    private readonly IBaselineAttributionMethod _inner;
    private readonly Tensor _baselines;

    /// <summary>Draws <paramref name="count"/> baselines of shape <paramref name="imageShape"/> from N(0, sigma^2) with <paramref name="seed"/>.</summary>
    public BaselineDistribution(IBaselineAttributionMethod inner, long[] imageShape, int count, double sigma, long seed)
    {
        _inner = inner;
        using var generator = new Generator(unchecked((ulong)seed));
        _baselines = randn([count, .. imageShape], generator: generator).mul_(sigma);
    }

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public Tensor Attribute(Tensor inputs, Tensor targets) => _inner.Attribute(inputs, targets, _baselines.to(inputs.dtype));

    /// <inheritdoc />
    public void Dispose()
    {
        _baselines.Dispose();
        (_inner as IDisposable)?.Dispose();
    }
}
