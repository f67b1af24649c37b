using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// A TorchScript classifier split at its feature map, as a <see cref="ConvClassifier"/>: the exported module's
/// <c>features(x)</c> and <c>classify(f)</c> methods (exported with <c>@torch.jit.export</c>, or traced with
/// <c>torch.jit.trace_module</c>) become <see cref="Features"/> and <see cref="Classify"/>. Hooks do not fire inside
/// TorchScript, so this is how Grad-CAM (its default layer is the feature map) and the explainer trainer (its head
/// reads the feature map) reach a model exported from Python.
/// </summary>
/// <remarks>
/// <para>
/// The model takes images [N, C, H, W] in [0, 1] and <c>classify(features(x))</c> must equal <c>forward(x)</c>, the
/// logits [N, K]; <see cref="Load"/> checks both on one probe image and reads <see cref="NumClasses"/> and
/// <see cref="FeatureChannels"/> from it. The TorchScript module is registered as the submodule <c>script</c>
/// (state-dict names <c>script.*</c>), so training the backbone trains its weights, as with
/// <see cref="TorchScriptClassifier"/>; the convolution caveat there applies here too.
/// </para>
/// </remarks>
public sealed class TorchScriptBackbone : ConvClassifier
{
    // The field name is the state-dict prefix; RegisterComponents registers it as a submodule.
    private readonly jit.ScriptModule<Tensor, Tensor> script;
    private readonly List<(string name, nn.Module module)> _modules;
    private readonly byte[] _torchScript;
    private int _numClasses;
    private long _featureChannels;

    private TorchScriptBackbone(jit.ScriptModule<Tensor, Tensor> script, byte[] torchScript, string source, IReadOnlyList<long> inputShape,
        IReadOnlyList<string>? classNames, string featuresMethod, string classifyMethod)
        : base(nameof(TorchScriptBackbone))
    {
        this.script = script;
        _torchScript = torchScript;
        Source = source;
        InputShape = inputShape.ToArray();
        ClassNames = classNames?.ToArray();
        FeaturesMethod = featuresMethod;
        ClassifyMethod = classifyMethod;
        RegisterComponents();
        _modules = base.named_modules().ToList();
    }

    /// <summary>The wrapped TorchScript module.</summary>
    public jit.ScriptModule<Tensor, Tensor> Script => script;

    /// <summary>Where the model came from (its file path), for messages.</summary>
    public string Source { get; }

    /// <summary>The image shape [C, H, W] the model takes, checked on every call.</summary>
    public IReadOnlyList<long> InputShape { get; }

    /// <summary>One name per output logit, or null when not given.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The exported method giving the feature map, "features" by default.</summary>
    public string FeaturesMethod { get; }

    /// <summary>The exported method giving logits from the feature map, "classify" by default.</summary>
    public string ClassifyMethod { get; }

    /// <summary>The TorchScript archive this backbone was loaded from (a copy).</summary>
    public byte[] TorchScript => _torchScript.ToArray();

    /// <inheritdoc />
    public override int NumClasses => _numClasses;

    /// <inheritdoc />
    public override long FeatureChannels => _featureChannels;

    /// <summary>Loads a TorchScript file whose module exports feature and classification methods.</summary>
    /// <param name="path">The <c>.pt</c> file.</param>
    /// <param name="inputShape">The image shape [C, H, W] the model takes (the probe image has it).</param>
    /// <param name="classNames">One name per output logit; checked against the logits' count.</param>
    /// <param name="device">The device to load onto; null for the CPU.</param>
    /// <param name="featuresMethod">The exported method images -> feature map [N, C', h, w].</param>
    /// <param name="classifyMethod">The exported method feature map -> logits [N, K].</param>
    /// <returns>The backbone, in eval mode; the caller owns it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not TorchScript, or libtorch cannot load it.</exception>
    /// <exception cref="ArgumentException">A method is missing, or the probe image shows a map that is not [1, C', h, w],
    /// logits that are not [1, K] (K = the class names' count), or classify(features(x)) different from forward(x).</exception>
    public static TorchScriptBackbone Load(string path, IReadOnlyList<long> inputShape, IReadOnlyList<string>? classNames = null, Device? device = null,
        string featuresMethod = "features", string classifyMethod = "classify") =>
        FromBytes(TorchScriptArchive.Read(path), inputShape, classNames, device, featuresMethod, classifyMethod, path);

    /// <summary>Loads a TorchScript archive held in memory; see <see cref="Load"/>.</summary>
    /// <param name="torchScript">The archive's bytes; copied.</param>
    /// <param name="inputShape">The image shape [C, H, W] the model takes.</param>
    /// <param name="classNames">One name per output logit; checked against the logits' count.</param>
    /// <param name="device">The device to load onto; null for the CPU.</param>
    /// <param name="featuresMethod">The exported method images -> feature map.</param>
    /// <param name="classifyMethod">The exported method feature map -> logits.</param>
    /// <param name="source">A name for the archive in messages.</param>
    /// <returns>The backbone, in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">The bytes are not TorchScript, or libtorch cannot load them.</exception>
    /// <exception cref="ArgumentException">See <see cref="Load"/>.</exception>
    public static TorchScriptBackbone FromBytes(byte[] torchScript, IReadOnlyList<long> inputShape, IReadOnlyList<string>? classNames = null, Device? device = null,
        string featuresMethod = "features", string classifyMethod = "classify", string source = "TorchScript archive")
    {
        ArgumentNullException.ThrowIfNull(torchScript);
        ArgumentNullException.ThrowIfNull(inputShape);
        TorchScriptArchive.CheckInputShape(inputShape);
        TorchScriptArchive.CheckClassNames(classNames);
        ArgumentException.ThrowIfNullOrEmpty(featuresMethod);
        ArgumentException.ThrowIfNullOrEmpty(classifyMethod);
        var bytes = torchScript.ToArray();
        var script = TorchScriptArchive.Load(bytes, device, source);
        var model = new TorchScriptBackbone(script, bytes, source, inputShape, classNames, featuresMethod, classifyMethod);
        try
        {
            model.eval();
            model.Probe();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The feature map [N, <see cref="FeatureChannels"/>, h, w]: the script's <see cref="FeaturesMethod"/>.</summary>
    /// <exception cref="ArgumentException">The images do not have <see cref="InputShape"/>.</exception>
    public override Tensor Features(Tensor input)
    {
        TorchScriptArchive.CheckImages(input, InputShape, Source);
        return Invoke(FeaturesMethod, input);
    }

    /// <summary>Logits [N, <see cref="NumClasses"/>] from a feature map: the script's <see cref="ClassifyMethod"/>.</summary>
    public override Tensor Classify(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return Invoke(ClassifyMethod, features);
    }

    /// <inheritdoc />
    /// <remarks>Listed once, when the backbone is created, as <see cref="TorchScriptClassifier.named_modules"/> is: a parent
    /// module (an explained classifier) disposes this one and then asks it for its children.</remarks>
    public override IEnumerable<(string name, nn.Module module)> named_modules() => _modules;

    private Tensor Invoke(string method, Tensor input) => script.invoke<Tensor>(method, input);

    // One image through both paths: the methods exist, their shapes fit, and they compose to forward.
    private void Probe()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parameter = script.parameters().FirstOrDefault(p => p.is_floating_point());
        var x = rand([1, .. InputShape], parameter?.dtype ?? ScalarType.Float32, parameter?.device ?? CPU, generator: new Generator(0));
        var features = Call(FeaturesMethod, x, "images [1, C, H, W]");
        if (features.dim() != 4 || features.shape[0] != 1)
        {
            throw new ArgumentException($"The TorchScript model '{Source}': {FeaturesMethod}(x) must return a feature map [N, C, h, w]; it returned [{string.Join(", ", features.shape)}].", "featuresMethod");
        }

        var logits = Call(ClassifyMethod, features, "the feature map");
        if (logits.dim() != 2 || logits.shape[0] != 1 || !logits.is_floating_point() || (ClassNames is not null && logits.shape[1] != ClassNames.Count))
        {
            string classes = ClassNames is null ? "K" : $"{ClassNames.Count}";
            throw new ArgumentException($"The TorchScript model '{Source}': {ClassifyMethod}(f) must return logits [1, {classes}] for one image; it returned [{string.Join(", ", logits.shape)}] {logits.dtype}.", "classifyMethod");
        }

        var forward = script.call(x);
        if (!forward.shape.SequenceEqual(logits.shape) || !forward.allclose(logits, 1e-4, 1e-5))
        {
            throw new ArgumentException($"The TorchScript model '{Source}': {ClassifyMethod}({FeaturesMethod}(x)) must equal forward(x), the logits; they differ on a probe image, so the split is not the model's.", "classifyMethod");
        }

        _featureChannels = features.shape[1];
        _numClasses = (int)logits.shape[1];
    }

    private Tensor Call(string method, Tensor input, string what)
    {
        try
        {
            return Invoke(method, input);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ArgumentException(
                $"The TorchScript model '{Source}' has no method {method}(x) taking {what} ({ex.Message.Split('\n')[0]}). Export it with @torch.jit.export on the module's {method} method before torch.jit.script, or with torch.jit.trace_module (docs/torchscript.md).", method == FeaturesMethod ? "featuresMethod" : "classifyMethod", ex);
        }
    }
}
