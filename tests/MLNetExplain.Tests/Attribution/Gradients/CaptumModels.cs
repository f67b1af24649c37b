using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Gradients;

/// <summary>Captum's closed-form toy models (captum/testing/helpers/basic_models.py) over inputs [N, 2], one logit.</summary>
internal static class CaptumModels
{
    /// <summary>BasicModel2, the IG paper's example 1: relu(relu(x1) - 1 - relu(x2)).</summary>
    public static FunctionModel BasicModel2() =>
        new(x => nn.functional.relu(nn.functional.relu(x[.., 0]) - 1 - nn.functional.relu(x[.., 1])).unsqueeze(1));

    /// <summary>BasicModel3: relu(relu(x1 - 1) - relu(x2)), the same function of (3, 1) along the path, another implementation.</summary>
    public static FunctionModel BasicModel3() =>
        new(x => nn.functional.relu(nn.functional.relu(x[.., 0] - 1) - nn.functional.relu(x[.., 1])).unsqueeze(1));

    /// <summary>A smooth classifier with 2 logits: [sum(x^2), sum(sin x)] over each example's elements.</summary>
    public static FunctionModel Smooth() => new(x => stack([x.square().flatten(1).sum(1), x.sin().flatten(1).sum(1)], 1));

    /// <summary>
    /// Whether two maps agree to float32 rounding: libtorch's convolutions round differently for a batch of one
    /// image than for larger batches, so chunk sizes of 1 change the last bits of a conv model's gradients.
    /// </summary>
    public static bool Close(double[] expected, double[] actual)
    {
        double scale = expected.Max(Math.Abs);
        return expected.Length == actual.Length && expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) <= 1e-6 * scale);
    }

    public static double[] Values(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();
}
