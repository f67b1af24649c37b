using MLNetExplain.Engine;
using MLNetExplain.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution;

/// <summary>A module computing a fixed function of its input (closed-form models, Captum's toy models).</summary>
internal sealed class FunctionModel(Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>("FunctionModel")
{
    public override Tensor forward(Tensor input) => function(input);
}

/// <summary>
/// A small CNN over the engine's guarded convolutions with out-channels that are not multiples of 16 (3 and 10
/// by default), so the conv input-gradient fault would show at batch &gt; 1; batch norm makes eval mode matter.
/// Each ReLU is its own module (relu1..relu3, no state), so DeepLift and Guided Backprop can hook it.
/// </summary>
internal sealed class TinyConvClassifier : ConvClassifier
{
    private readonly GuardedConv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly GuardedConv2d conv2;
    private readonly GuardedConv2d conv3;
    private readonly ReLU relu1 = nn.ReLU();
    private readonly ReLU relu2 = nn.ReLU();
    private readonly ReLU relu3 = nn.ReLU();
    private readonly Linear fc;
    private readonly int _classes;
    private readonly long _features;
    private readonly int _inChannels;
    private readonly int _size;

    public TinyConvClassifier(int inChannels = 1, int size = 8, int classes = 4, long c1 = 3, long c2 = 10, long c3 = 10) : base(nameof(TinyConvClassifier))
    {
        conv1 = new GuardedConv2d(inChannels, c1, 3, padding: 1);
        bn1 = nn.BatchNorm2d(c1);
        conv2 = new GuardedConv2d(c1, c2, 3, stride: 2, padding: 1);
        conv3 = new GuardedConv2d(c2, c3, 3, stride: 2, padding: 1);
        fc = nn.Linear(c3 * (size / 4) * (size / 4), classes);
        _classes = classes;
        _features = c3;
        _inChannels = inChannels;
        _size = size;
        RegisterComponents();
    }

    public override int NumClasses => _classes;

    public override long FeatureChannels => _features;

    public override Tensor Features(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = relu1.call(bn1.call(conv1.call(input)));
        h = relu2.call(conv2.call(h));
        return relu3.call(conv3.call(h)).MoveToOuterDisposeScope();
    }

    public override Tensor Classify(Tensor features) => fc.call(features.flatten(1));

    /// <summary>A copy with the same weights (and batch-norm statistics) in <paramref name="dtype"/>.</summary>
    public TinyConvClassifier CopyAs(ScalarType dtype)
    {
        var copy = new TinyConvClassifier(_inChannels, _size, _classes, conv1.OutChannels, conv2.OutChannels, conv3.OutChannels);
        copy.load_state_dict(state_dict());
        copy.to(dtype);
        copy.train(training);
        return copy;
    }

    /// <summary>A description that <see cref="FromDescription"/> turns back into an untrained model of the same shape.</summary>
    public string Description => $"{_inChannels},{_size},{_classes},{conv1.OutChannels},{conv2.OutChannels},{conv3.OutChannels}";

    public static TinyConvClassifier FromDescription(string description)
    {
        var v = description.Split(',').Select(int.Parse).ToArray();
        return new TinyConvClassifier(v[0], v[1], v[2], v[3], v[4], v[5]);
    }
}

/// <summary>A user's own TorchSharp model built from plain nn.Conv2d layers (3 and 10 output channels).</summary>
internal sealed class UserConvModel : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 3, 3, padding: 1);
    private readonly Conv2d conv2 = nn.Conv2d(3, 10, 3, stride: 2, padding: 1);
    private readonly Linear fc = nn.Linear(10 * 4 * 4, 4);

    public UserConvModel() : base(nameof(UserConvModel)) => RegisterComponents();

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(conv2.call(nn.functional.relu(conv1.call(input))));
        return fc.call(h.flatten(1)).MoveToOuterDisposeScope();
    }
}
