using MLNetExplain.Tests.ML.Stages;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Backprop;

/// <summary>Captum's ReLUDeepLiftModel over inputs [N, 2]: 2 relu(x1) + 2 relu(x2 - 1.5), one logit.</summary>
internal sealed class ReLUDeepLiftModel : nn.Module<Tensor, Tensor>
{
    private readonly ReLU relu1 = nn.ReLU();
    private readonly ReLU relu2 = nn.ReLU();

    public ReLUDeepLiftModel() : base(nameof(ReLUDeepLiftModel)) => RegisterComponents();

    public override Tensor forward(Tensor input) =>
        (2 * relu1.call(input[.., 0]) + 2 * relu2.call(input[.., 1] - 1.5)).unsqueeze(1);
}

/// <summary>Captum's LinearMaxPoolLinearModel over inputs [N, 4]: identity Linear, MaxPool1d(4), Linear with weight 1 = max(x).</summary>
internal sealed class LinearMaxPoolLinearModel : nn.Module<Tensor, Tensor>
{
    private readonly Linear lin1 = nn.Linear(4, 4, hasBias: false);
    private readonly MaxPool1d pool1 = nn.MaxPool1d(4);
    private readonly Linear lin2 = nn.Linear(1, 1, hasBias: false);

    public LinearMaxPoolLinearModel() : base(nameof(LinearMaxPoolLinearModel))
    {
        RegisterComponents();
        using var noGrad = no_grad();
        lin1.weight!.copy_(eye(4));
        lin2.weight!.fill_(1);
    }

    public override Tensor forward(Tensor input) => lin2.call(pool1.call(lin1.call(input).unsqueeze(1))[.., 0, ..]);
}

/// <summary>out = W2 relu(W1 x) with a ReLU module: the closed-form two-layer net of the ReLU rules.</summary>
internal sealed class TwoLayerReLUNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly ReLU relu;
    private readonly Linear fc2;

    public TwoLayerReLUNet(double[,] w1, double[,] w2, bool inplace = false) : base(nameof(TwoLayerReLUNet))
    {
        fc1 = nn.Linear(w1.GetLength(1), w1.GetLength(0), hasBias: false, dtype: ScalarType.Float64);
        fc2 = nn.Linear(w2.GetLength(1), w2.GetLength(0), hasBias: false, dtype: ScalarType.Float64);
        relu = nn.ReLU(inplace);
        RegisterComponents();
        using var noGrad = no_grad();
        fc1.weight!.copy_(tensor(w1));
        fc2.weight!.copy_(tensor(w2));
    }

    public ReLU Relu => relu;

    public override Tensor forward(Tensor input) => fc2.call(relu.call(fc1.call(input)));
}

/// <summary>out = C relu(B relu(A x + a) + b): the ReLU rules applied twice, checked against explicit formulas.</summary>
internal sealed class ThreeLayerReLUNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly ReLU relu1 = nn.ReLU();
    private readonly Linear fc2;
    private readonly ReLU relu2 = nn.ReLU();
    private readonly Linear fc3;

    /// <param name="positiveTop">Make the weights after the first layer non-negative, so no ReLU ever sees a negative gradient.</param>
    public ThreeLayerReLUNet(int seed, bool positiveTop = false) : base(nameof(ThreeLayerReLUNet))
    {
        var generator = new Generator((ulong)seed);
        fc1 = nn.Linear(5, 7, dtype: ScalarType.Float64);
        fc2 = nn.Linear(7, 6, dtype: ScalarType.Float64);
        fc3 = nn.Linear(6, 3, dtype: ScalarType.Float64);
        RegisterComponents();
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            var draw = randn(p.shape, ScalarType.Float64, generator: generator);
            p.copy_(positiveTop && !name.StartsWith("fc1", StringComparison.Ordinal) ? draw.abs() : draw);
        }
    }

    public (Tensor A, Tensor a, Tensor B, Tensor b, Tensor C) Weights =>
        (fc1.weight!.detach(), fc1.bias!.detach(), fc2.weight!.detach(), fc2.bias!.detach(), fc3.weight!.detach());

    public override Tensor forward(Tensor input) => fc3.call(relu2.call(fc2.call(relu1.call(fc1.call(input)))));
}

/// <summary>One ReLU module called at two sites, as torchvision's BasicBlock does.</summary>
internal sealed class ReusedReLUModel : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1 = nn.Linear(4, 4);
    private readonly Linear fc2 = nn.Linear(4, 2);
    private readonly ReLU shared = nn.ReLU();

    public ReusedReLUModel() : base(nameof(ReusedReLUModel)) => RegisterComponents();

    public override Tensor forward(Tensor input) => fc2.call(shared.call(fc1.call(shared.call(input))));
}

/// <summary>A ReLU module on x1 and a functional relu on x2: relu(x1) + relu(x2 - 0.5), one logit.</summary>
internal sealed class HalfFunctionalModel : nn.Module<Tensor, Tensor>
{
    private readonly ReLU relu = nn.ReLU();

    public HalfFunctionalModel() : base(nameof(HalfFunctionalModel)) => RegisterComponents();

    public override Tensor forward(Tensor input) =>
        (relu.call(input[.., 0]) + nn.functional.relu(input[.., 1] - 0.5)).unsqueeze(1);
}

/// <summary>
/// A conv - ReLU - max-pool - linear classifier over <see cref="TinyImage"/>s [2, 3, 4] (3 classes) with fixed
/// weights from a seed, for the stage tests.
/// </summary>
internal sealed class PooledTinyClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv = nn.Conv2d(TinyImage.Channels, 4, 3, padding: 1);
    private readonly ReLU relu = nn.ReLU();
    private readonly MaxPool2d pool = nn.MaxPool2d(2, 1);
    private readonly Linear fc = nn.Linear(4 * (TinyImage.Height - 1) * (TinyImage.Width - 1), TinyImage.Classes);

    public PooledTinyClassifier(int seed = 3) : base(nameof(PooledTinyClassifier))
    {
        RegisterComponents();
        var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var p in parameters())
        {
            p.copy_(rand(p.shape, generator: generator) - 0.5);
        }
    }

    public override Tensor forward(Tensor input) => fc.call(pool.call(relu.call(conv.call(input))).flatten(1));
}

/// <summary>Holds a ReLU module but computes relu through nn.functional, so the module is never called.</summary>
internal sealed class UncalledReLUModel : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc = nn.Linear(4, 2);
    private readonly ReLU relu = nn.ReLU();

    public UncalledReLUModel() : base(nameof(UncalledReLUModel)) => RegisterComponents();

    public ReLU Relu => relu;

    public override Tensor forward(Tensor input) => fc.call(nn.functional.relu(input));
}

/// <summary>Counts the forward hooks on a model's modules (TorchSharp keeps them in a private dictionary).</summary>
internal static class ForwardHooks
{
    public static int Count(nn.Module model) => model.modules().Sum(module =>
    {
        for (var type = module.GetType(); type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(nn.HookableModule<,>))
            {
                var hooks = type.GetField("post_hooks", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(module);
                return ((System.Collections.ICollection)hooks!).Count;
            }
        }

        return 0;
    });
}
