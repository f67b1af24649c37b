using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Attribution.Layers;

/// <summary>
/// A user's TorchSharp model with a named conv layer and a CAM head: logits = fc(mean over (h, w) of conv(x)), so
/// dF_t/dA_c = fc.weight[t, c] / (h w) everywhere and Grad-CAM equals CAM divided by h w (a closed form).
/// </summary>
internal sealed class GapClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly Linear fc;

    public GapClassifier(int inChannels = 1, int channels = 3, int classes = 4, long stride = 2) : base(nameof(GapClassifier))
    {
        conv = nn.Conv2d(inChannels, channels, 3, stride: stride, padding: 1);
        fc = nn.Linear(channels, classes);
        RegisterComponents();
    }

    public Conv2d Conv => conv;

    public Linear Fc => fc;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return fc.call(conv.call(input).mean([2, 3])).MoveToOuterDisposeScope();
    }
}

/// <summary>A model calling the same conv module twice, which a layer method must refuse to explain.</summary>
internal sealed class ReusedLayerModel : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv = nn.Conv2d(1, 1, 3, padding: 1);

    public ReusedLayerModel() : base(nameof(ReusedLayerModel)) => RegisterComponents();

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return conv.call(conv.call(input)).flatten(1).narrow(1, 0, 3).MoveToOuterDisposeScope();
    }
}
