using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Perturbation;

/// <summary>Closed-form models for the perturbation methods, with a count of forward passes.</summary>
internal static class PerturbationModels
{
    /// <summary>
    /// Captum's <c>BasicModel_MultiLayer</c> (testing/helpers/basic_models.py) in closed form: with s = x0 + x1 + x2,
    /// hidden = relu(s + [-10, 1, 1, 1]) and logits = sum(hidden) + [-1, 1]. Linear (4 s + 2) where s >= 10.
    /// </summary>
    public static CountingModel MultiLayer() => new(x =>
    {
        var s = x.sum(1, keepdim: true);
        var hidden = nn.functional.relu(s - 10) + 3 * nn.functional.relu(s + 1);
        return cat([hidden - 1, hidden + 1], 1);
    });

    /// <summary>logits [N, 2] = [x . w, -(x . w)] over the flattened input, w the flattened <paramref name="weights"/>.</summary>
    public static CountingModel Linear(Tensor weights) => new(x =>
    {
        var score = (x.flatten(1) * weights.flatten().to(x.dtype).unsqueeze(0)).sum(1, keepdim: true);
        return cat([score, -score], 1);
    });
}

/// <summary>A closed-form model (as <see cref="FunctionModel"/>) that counts its forward passes and the images they held.</summary>
internal sealed class CountingModel(Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>("CountingModel")
{
    public int Forwards { get; private set; }

    public long Images { get; private set; }

    public override Tensor forward(Tensor input)
    {
        Forwards++;
        Images += input.shape[0];
        return function(input);
    }

    public void Reset() => (Forwards, Images) = (0, 0);
}

/// <summary>Tensor values as doubles, for assertions.</summary>
internal static class Values
{
    public static double[] Of(Tensor t) => t.to_type(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();

    public static void Near(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
        }
    }
}
