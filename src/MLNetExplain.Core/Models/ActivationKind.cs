using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>The activation function at every call site of a <see cref="ResNet"/> or <see cref="SmallCnn"/>.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0).</summary>
    ReLU,

    /// <summary>
    /// Softplus log(1 + exp(beta x)) / beta: a smooth ReLU with a non-zero second derivative, which second-order
    /// training (seed 004 uses beta 3) and smooth input-gradients need.
    /// </summary>
    Softplus,
}

/// <summary>Makes one activation module per call site, so each site can be hooked on its own.</summary>
internal static class Activations
{
    /// <summary>A factory of fresh modules of <paramref name="kind"/>.</summary>
    public static Func<nn.Module<Tensor, Tensor>> Factory(ActivationKind kind, double softplusBeta) => kind switch
    {
        ActivationKind.ReLU => static () => nn.ReLU(),
        ActivationKind.Softplus => () => nn.Softplus(softplusBeta),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation."),
    };
}
