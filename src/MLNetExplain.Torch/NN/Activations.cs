namespace MLNetExplain.Torch.NN;

/// <summary>
/// A replacement backward rule for one activation call site: given the activation's input and output and
/// the gradient arriving at its output, return the gradient to pass to its input. Used by DeepLIFT
/// (rescale rule), Guided Backprop and learned propagation rules. Under <c>create_graph</c> the rule's own
/// operations are recorded, so second-order gradients differentiate through it.
/// </summary>
public delegate Tensor BackwardRule(Tensor input, Tensor output, Tensor gradOutput);

/// <summary>
/// An elementwise activation. Each call site in a model is its own instance, so a
/// <see cref="BackwardOverride"/> can change the backward rule at exactly one place.
/// </summary>
public abstract class Activation : Module
{
    /// <summary>When set, gradients through this activation follow the rule instead of the true derivative.</summary>
    public BackwardRule? BackwardOverride { get; set; }

    /// <summary>The activation itself.</summary>
    protected abstract Tensor Apply(Tensor input);

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var rule = BackwardOverride;
        var output = Apply(input);
        if (rule is null || !input.RequiresGrad)
        {
            return output;
        }

        // output' = output.detach() + (input - input.detach()): the same values, and a gradient that reaches
        // the input through an identity node whose hook applies the rule.
        using var scope = Torch.NewDisposeScope();
        var frozen = output.Detach();
        var identity = input - input.Detach();
        var x = new Tensor(input.ShareNative()).DetachFromDisposeScope();
        var y = output.DetachFromDisposeScope();
        // x and y live as long as the hook, which libtorch drops with the identity node.
        GradientHook.Register(identity, g => rule(x, y, g), x, y);
        return (frozen + identity).MoveToOuterDisposeScope();
    }
}

/// <summary>max(x, 0) (nn.ReLU).</summary>
public sealed class ReLU : Activation
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor input) => Functional.Relu(input);
}

/// <summary>log(1 + exp(beta x)) / beta (nn.Softplus); a smooth ReLU whose second derivative is non-zero.</summary>
public sealed class Softplus(double beta = 1, double threshold = 20) : Activation
{
    /// <summary>Sharpness; larger is closer to ReLU.</summary>
    public double Beta { get; } = beta;

    /// <inheritdoc />
    protected override Tensor Apply(Tensor input) => Functional.Softplus(input, Beta, threshold);
}

/// <summary>x for x &gt; 0, slope * x otherwise (nn.LeakyReLU).</summary>
public sealed class LeakyReLU(double negativeSlope = 0.01) : Activation
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor input) => Functional.LeakyRelu(input, negativeSlope);
}

/// <summary>The logistic function (nn.Sigmoid).</summary>
public sealed class Sigmoid : Activation
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor input) => Functional.Sigmoid(input);
}

/// <summary>Hyperbolic tangent (nn.Tanh).</summary>
public sealed class Tanh : Activation
{
    /// <inheritdoc />
    protected override Tensor Apply(Tensor input) => Functional.Tanh(input);
}
