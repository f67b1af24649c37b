using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.AttExplore;

/// <summary>
/// conv(3 -> 4, 3x3) -> ReLU -> adaptive average pooling to 2x2 -> linear(16 -> 3): accepts any image size, so
/// AttEXplore's input diversity (enlarged, padded images) can run on it.
/// </summary>
internal sealed class PooledConvClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 4, 3, padding: 1);
    private readonly Linear fc = nn.Linear(16, 3);

    public PooledConvClassifier(ScalarType dtype = ScalarType.Float32) : base(nameof(PooledConvClassifier))
    {
        RegisterComponents();
        using var noGrad = no_grad();
        using var generator = new Generator(11);
        foreach (var parameter in parameters())
        {
            parameter.copy_(rand(parameter.shape, generator: generator) * 1.2 - 0.6);
        }

        this.to(dtype);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.adaptive_avg_pool2d(nn.functional.relu(conv1.call(input)), [2, 2]);
        return fc.call(h.flatten(1)).MoveToOuterDisposeScope();
    }
}
