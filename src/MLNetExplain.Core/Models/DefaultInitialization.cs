using MLNetExplain.Engine;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// PyTorch's default initialisation drawn from a given generator: TorchSharp's <c>kaiming_uniform_</c> takes no
/// generator and 0.107's <c>nn.init.uniform_</c> ignores the one it is given, so seeded builds draw with <c>rand</c>.
/// </summary>
internal static class DefaultInitialization
{
    /// <summary>Redraws every convolution and linear layer of <paramref name="module"/> in module order.</summary>
    public static void Apply(nn.Module module, Generator generator)
    {
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case GuardedConv2d conv:
                    Uniform(conv.Weight, conv.Bias, generator);
                    break;
                case TorchSharp.Modules.Linear linear:
                    Uniform(linear.weight!, linear.bias, generator);
                    break;
            }
        }
    }

    // kaiming_uniform_(a = sqrt(5)) has bound gain * sqrt(3 / fan_in) = sqrt(1/3) * sqrt(3 / fan_in) = 1 / sqrt(fan_in);
    // PyTorch draws the bias from the same bound.
    private static void Uniform(Tensor weight, Tensor? bias, Generator generator)
    {
        long fanIn = weight.numel() / weight.shape[0];
        double bound = 1 / Math.Sqrt(fanIn);
        Draw(weight, bound, generator);
        if (bias is not null)
        {
            Draw(bias, bound, generator);
        }
    }

    private static void Draw(Tensor target, double bound, Generator generator)
    {
        using var u = rand(target.shape, target.dtype, target.device, generator: generator);
        target.copy_(u.mul_(2 * bound).sub_(bound));
    }
}
