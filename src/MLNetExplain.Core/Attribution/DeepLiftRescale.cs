using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Attribution;

/// <summary>
/// DeepLift's per-module rules for a forward pass over <c>cat([x, x'])</c> (inputs then baselines, N rows each):
/// the Rescale rule at element-wise activations and an exact rule at max-pools. Each replaces the module's output
/// by y + m * (in - in.detach()) on the inputs' half: equal in value to y, with gradient m with respect to the
/// module's input. Linear layers, convolutions, batch norm in eval mode and additions keep their ordinary gradients.
/// </summary>
/// <remarks>
/// <para>
/// Rescale (Shrikumar et al. 2017; Captum's <c>deep_lift.py::nonlinear</c>): m = (y(x) - y(x')) / (in(x) - in(x')),
/// or the ordinary derivative where |in(x) - in(x')| &lt; eps. Then m * delta-in = delta-out at every unit.
/// </para>
/// <para>
/// Max-pool (fixed or adaptive windows): per window, let i be the input's argmax, j the baseline's, a and b the window's values at x and x'.
/// Writing max(u, v) = v + relu(u - v) for the pair (a_i, a_j), (b_i, b_j) and applying Rescale to that ReLU gives
/// m_i = r and m_j = 1 - r with r = (a_i - a_j) / ((a_i - a_j) + (b_j - b_i)), both in [0, 1] (the same r for
/// u + relu(v - u), so the split is symmetric); then m_i delta_i + m_j delta_j = a_i - b_j = delta-out exactly, and
/// only the window's maxima at x and at x' get credit (all of it to i when i = j; r = 1 when both gaps are 0, where
/// any split is exact). With every layer exact, the summed attributions equal F(x) - F(x') up to rounding.
/// Captum's rule unpools each window's change through one argmax per example, which does not conserve the window's
/// change when the argmaxes at x and x' differ: its known completeness gap after ReLU then MaxPool.
/// </para>
/// </remarks>
internal static class DeepLiftRescale
{
    /// <summary>The module types with a rule, in words.</summary>
    public const string Supported = "nn.ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, MaxPool1d/2d/3d or AdaptiveMaxPool1d/2d/3d";

    /// <summary>Whether <paramref name="module"/> gets a DeepLift rule.</summary>
    public static bool Supports(nn.Module module) =>
        module is ReLU or LeakyReLU or ELU or Sigmoid or Tanh or Softplus
            or MaxPool1d or MaxPool2d or MaxPool3d or AdaptiveMaxPool1d or AdaptiveMaxPool2d or AdaptiveMaxPool3d;

    /// <summary>The replacement output of <paramref name="module"/> for a forward pass over 2 x <paramref name="rows"/> rows.</summary>
    /// <exception cref="InvalidOperationException">The module does not see the doubled batch first.</exception>
    public static Tensor Replace(nn.Module module, Tensor input, Tensor output, long rows, double eps)
    {
        if (input.dim() < 1 || input.shape[0] != 2 * rows || output.shape[0] != 2 * rows)
        {
            throw new InvalidOperationException(
                $"DeepLift runs the model once on the inputs and baselines together ({2 * rows} rows), and module {module.GetType().Name} received [{AttributionInputs.Shape(input)}]: every activation and max-pool module must see the batch as its first dimension.");
        }

        using var scope = NewDisposeScope();
        var x = input.narrow(0, 0, rows);
        var y = output.detach();
        // Zero in value, identity in gradient: the carrier of the multipliers.
        var carrier = x - x.detach();
        var replaced = module switch
        {
            MaxPool1d pool => MaxPool(pool.forward_with_indices(input).Item2, input, y, carrier, rows, 1),
            MaxPool2d pool => MaxPool(pool.forward_with_indices(input).Item2, input, y, carrier, rows, 2),
            MaxPool3d pool => MaxPool(pool.forward_with_indices(input).Item2, input, y, carrier, rows, 3),
            AdaptiveMaxPool1d pool => MaxPool(pool.forward_with_indices(input).Item2, input, y, carrier, rows, 1),
            AdaptiveMaxPool2d pool => MaxPool(pool.forward_with_indices(input).Item2, input, y, carrier, rows, 2),
            AdaptiveMaxPool3d pool => MaxPool(pool.forward_with_indices(input).Item2, input, y, carrier, rows, 3),
            _ => y.narrow(0, 0, rows) + Multiplier(module, input.detach(), y, rows, eps) * carrier,
        };
        return cat([replaced, output.narrow(0, rows, rows)]).MoveToOuterDisposeScope();
    }

    private static Tensor Multiplier(nn.Module module, Tensor input, Tensor output, long rows, double eps)
    {
        var x = input.narrow(0, 0, rows);
        var deltaIn = x - input.narrow(0, rows, rows);
        var deltaOut = output.narrow(0, 0, rows) - output.narrow(0, rows, rows);
        var small = deltaIn.abs().lt(eps);
        return where(small, Derivative(module, x), deltaOut / where(small, ones_like(deltaIn), deltaIn));
    }

    // The ordinary derivative, Captum's choice where the input barely changes.
    private static Tensor Derivative(nn.Module module, Tensor x) => module switch
    {
        ReLU => x.gt(0).to_type(x.dtype),
        LeakyReLU leaky => where(x.gt(0), ones_like(x), full_like(x, leaky.negative_slope)),
        ELU elu => where(x.gt(0), ones_like(x), x.exp() * elu.alpha),
        Sigmoid => x.sigmoid() * (1 - x.sigmoid()),
        Tanh => 1 - x.tanh().square(),
        Softplus softplus => where((x * softplus.beta).gt(softplus.threshold), ones_like(x), (x * softplus.beta).sigmoid()),
        _ => throw new NotSupportedException($"No DeepLift rule for {module.GetType().Name}."),
    };

    private static Tensor MaxPool(Tensor indices, Tensor input, Tensor output, Tensor carrier, long rows, int spatialDims)
    {
        if (input.dim() != spatialDims + 2)
        {
            throw new InvalidOperationException(
                $"DeepLift's max-pool rule needs batched input [N, C, {string.Join(", ", Enumerable.Repeat("...", spatialDims))}] to a {spatialDims}-d max-pool; got [{AttributionInputs.Shape(input)}].");
        }

        var values = input.detach().flatten(2);
        var a = values.narrow(0, 0, rows);
        var b = values.narrow(0, rows, rows);
        var flat = indices.flatten(2);
        var i = flat.narrow(0, 0, rows);
        var j = flat.narrow(0, rows, rows);
        var outX = output.narrow(0, 0, rows);
        var outB = output.narrow(0, rows, rows);
        var shape = outX.shape;
        var gapX = outX - a.gather(2, j).view(shape);
        var gapB = outB - b.gather(2, i).view(shape);
        var denominator = gapX + gapB;
        var positive = denominator.gt(0);
        var r = where(positive, gapX / where(positive, denominator, ones_like(denominator)), ones_like(denominator));
        var c = carrier.flatten(2);
        return outX + r * c.gather(2, i).view(shape) + (1 - r) * c.gather(2, j).view(shape);
    }
}
