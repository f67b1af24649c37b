using MLNetExplain.Attribution;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

/// <summary>logits = W flatten(x) + b over [1, 4, 4] inputs with fixed weights drawn from a seed (float64 by default).</summary>
internal sealed class FlatLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public FlatLinear(int classes = 3, int seed = 1, ScalarType dtype = ScalarType.Float64) : base(nameof(FlatLinear))
    {
        fc = nn.Linear(16, classes, dtype: dtype);
        RegisterComponents();
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        fc.weight!.copy_(rand(fc.weight.shape, ScalarType.Float64, generator: generator).mul_(2).sub_(1).to_type(dtype));
        fc.bias!.copy_(rand(fc.bias.shape, ScalarType.Float64, generator: generator).to_type(dtype));
    }

    public Tensor Weight => fc.weight!;

    public Tensor Bias => fc.bias!;

    public override Tensor forward(Tensor input) => fc.call(input.flatten(1));
}

/// <summary>An attribution computed by a closed-form function of (inputs, targets[, baselines]).</summary>
internal sealed class FormulaAttribution(Func<Tensor, Tensor, Tensor?, Tensor> formula, string name = "Formula") : IBaselineAttributionMethod
{
    public string Name => name;

    public Tensor Attribute(Tensor inputs, Tensor targets) => formula(inputs, targets, null);

    public Tensor Attribute(Tensor inputs, Tensor targets, Tensor? baselines) => formula(inputs, targets, baselines);

    public AttributionWithDelta AttributeWithDelta(Tensor inputs, Tensor targets, Tensor? baselines = null) =>
        throw new NotSupportedException("The metric must not trust the method's delta.");
}
