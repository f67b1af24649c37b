using MLNetExplain.Attribution;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.ML.Stages;

/// <summary>
/// logits = W flatten(x) + b over <see cref="TinyImage"/> pixels, with fixed weights: its input-gradient for class
/// k is W[k] reshaped to [C, H, W], a closed form every attribution of it can be checked against.
/// </summary>
internal sealed class LinearClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    public LinearClassifier(int seed = 3) : base(nameof(LinearClassifier))
    {
        fc = nn.Linear(TinyImage.Size, TinyImage.Classes);
        RegisterComponents();
        using var noGrad = no_grad();
        using var weights = TinyImages.Weights(seed);
        fc.weight!.copy_(weights);
        fc.bias!.copy_(tensor(new float[] { 0.5f, -0.25f, 0.1f }));
    }

    public override Tensor forward(Tensor input) => fc.call(input.flatten(1));

    /// <summary>W as float rows per class.</summary>
    public float[][] Weights()
    {
        var w = fc.weight!.detach().cpu().data<float>().ToArray();
        return [.. Enumerable.Range(0, TinyImage.Classes).Select(k => w.AsSpan(k * TinyImage.Size, TinyImage.Size).ToArray())];
    }

    /// <summary>The predicted class of one image, computed in float64 on the CPU.</summary>
    public int Predict(float[] image)
    {
        var w = Weights();
        var b = fc.bias!.detach().data<float>().ToArray();
        var scores = Enumerable.Range(0, TinyImage.Classes).Select(k => b[k] + w[k].Zip(image, (a, x) => (double)a * x).Sum()).ToList();
        return scores.IndexOf(scores.Max());
    }
}

/// <summary>
/// A test-only attribution method: the closed-form input-gradient W[target] of a <see cref="LinearClassifier"/>,
/// counting its calls and batch sizes.
/// </summary>
internal sealed class LinearGradient(LinearClassifier model) : IAttributionMethod
{
    private int _calls;

    public string Name => "LinearGradient";

    public int Calls => _calls;

    public List<long> BatchSizes { get; } = [];

    public Tensor Attribute(Tensor inputs, Tensor targets)
    {
        Interlocked.Increment(ref _calls);
        lock (BatchSizes)
        {
            BatchSizes.Add(inputs.shape[0]);
        }

        var w = tensor(model.Weights().SelectMany(r => r).ToArray(), [TinyImage.Classes, TinyImage.Size]);
        return w.index_select(0, targets).view(inputs.shape);
    }
}
