using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.ML.Stages;

/// <summary>
/// logits = W (x * x) + b over <see cref="TinyImage"/> pixels: its gradient 2 x W[k] depends on the input, so the
/// noise of SmoothGrad changes the maps (with a linear model it would not, and seed tests could not fail).
/// </summary>
internal sealed class QuadraticClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public QuadraticClassifier(int seed = 4) : base(nameof(QuadraticClassifier))
    {
        fc = nn.Linear(TinyImage.Size, TinyImage.Classes);
        RegisterComponents();
        using var noGrad = no_grad();
        using var weights = TinyImages.Weights(seed);
        fc.weight!.copy_(weights);
    }

    public override Tensor forward(Tensor input)
    {
        var flat = input.flatten(1);
        return fc.call(flat * flat);
    }
}
