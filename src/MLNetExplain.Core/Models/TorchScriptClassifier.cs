using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Models;

/// <summary>
/// A classifier exported from Python with <c>torch.jit.trace</c> or <c>torch.jit.script</c>, as a TorchSharp
/// <c>nn.Module&lt;Tensor, Tensor&gt;</c>: every attribution method, attack, trainer and ML.NET stage of MLNetExplain
/// takes it. TorchScript modules (<c>jit.ScriptModule&lt;Tensor, Tensor&gt;</c>) do not derive from
/// <c>nn.Module&lt;Tensor, Tensor&gt;</c>, so they need this wrapper to reach APIs typed that way.
/// </summary>
/// <remarks>
/// <para>
/// The model must map images [N, C, H, W] to logits [N, K] (no softmax); pixels come in [0, 1], so any
/// normalisation belongs inside the exported model. The TorchScript module is registered as the submodule
/// <c>script</c>: <c>parameters()</c>, <c>named_modules()</c>, <c>to(device)</c>, <c>train()</c>/<c>eval()</c> and
/// <c>state_dict()</c> (names <c>script.*</c>) reach it, and training the wrapper trains its weights.
/// </para>
/// <para>
/// TorchScript layers cannot be hooked, so on engines with the conv2d input-gradient fault (see
/// <see cref="Engine.ConvolutionGuard"/>) a model with a convolution whose output channels are not a multiple of
/// 16 is refused by <see cref="Engine.ModuleProtection.Protect"/> (which every method calls) with a
/// <see cref="NotSupportedException"/> naming the layer. See docs/torchscript.md.
/// </para>
/// <para>
/// Saving: a wrapper created by <see cref="Load"/> or <see cref="FromBytes"/> keeps the TorchScript archive's bytes
/// (<see cref="TorchScript"/>), so a pipeline holding it can be saved with <c>mlContext.Model.SaveWithExplainers</c>
/// and the saved file is self-contained (the archive travels base64-encoded in the stage's settings; the current
/// weights travel separately, so trained weights are kept). A wrapper around a module given to the constructor has
/// no archive bytes and cannot be saved in a pipeline.
/// </para>
/// </remarks>
public sealed class TorchScriptClassifier : nn.Module<Tensor, Tensor>
{
    // The field name is the state-dict prefix; RegisterComponents registers it as a submodule.
    private readonly jit.ScriptModule<Tensor, Tensor> script;
    private readonly List<(string name, nn.Module module)> _modules;
    private readonly byte[]? _torchScript;
    private volatile bool _outputChecked;

    /// <summary>Wraps a loaded TorchScript module, which this wrapper then owns.</summary>
    /// <param name="script">The module, e.g. from <c>torch.jit.load&lt;Tensor, Tensor&gt;(path)</c>.</param>
    /// <param name="inputShape">The image shape [C, H, W] the model takes, checked on every call; null checks nothing.</param>
    /// <param name="classNames">One name per output logit; the output's class count is checked against it.</param>
    /// <exception cref="ArgumentException"><paramref name="inputShape"/> is not three positive sizes, or a class name is null.</exception>
    public TorchScriptClassifier(jit.ScriptModule<Tensor, Tensor> script, IReadOnlyList<long>? inputShape = null, IReadOnlyList<string>? classNames = null)
        : this(script, null, "TorchScript module", inputShape, classNames)
    {
    }

    private TorchScriptClassifier(jit.ScriptModule<Tensor, Tensor> script, byte[]? torchScript, string source,
        IReadOnlyList<long>? inputShape, IReadOnlyList<string>? classNames)
        : base(nameof(TorchScriptClassifier))
    {
        ArgumentNullException.ThrowIfNull(script);
        TorchScriptArchive.CheckInputShape(inputShape);
        TorchScriptArchive.CheckClassNames(classNames);

        this.script = script;
        _torchScript = torchScript;
        Source = source;
        InputShape = inputShape?.ToArray();
        ClassNames = classNames?.ToArray();
        RegisterComponents();
        _modules = base.named_modules().ToList();
    }

    /// <summary>The wrapped TorchScript module.</summary>
    public jit.ScriptModule<Tensor, Tensor> Script => script;

    /// <summary>Where the model came from (its file path), for messages.</summary>
    public string Source { get; }

    /// <summary>The image shape [C, H, W] the model takes, or null when not given.</summary>
    public IReadOnlyList<long>? InputShape { get; }

    /// <summary>One name per output logit, or null when not given.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>
    /// The TorchScript archive this wrapper was loaded from (a copy), or null for a wrapper around a module given to
    /// the constructor. Saved pipelines carry it.
    /// </summary>
    public byte[]? TorchScript => _torchScript?.ToArray();

    /// <summary>
    /// Loads a TorchScript file written by <c>torch.jit.save</c> (or <c>traced.save(path)</c>) in Python.
    /// </summary>
    /// <param name="path">The <c>.pt</c> file.</param>
    /// <param name="device">The device to load onto; null for the CPU.</param>
    /// <param name="inputShape">The image shape [C, H, W] the model takes, checked on every call; null checks nothing.</param>
    /// <param name="classNames">One name per output logit; the output's class count is checked against it.</param>
    /// <returns>The wrapper, in eval mode; the caller owns it.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a TorchScript archive, or libtorch cannot load it.</exception>
    public static TorchScriptClassifier Load(string path, Device? device = null, IReadOnlyList<long>? inputShape = null, IReadOnlyList<string>? classNames = null)
    {
        return FromBytes(TorchScriptArchive.Read(path), device, inputShape, classNames, path);
    }

    /// <summary>Loads a TorchScript archive held in memory (the bytes of a file written by <c>torch.jit.save</c>).</summary>
    /// <param name="torchScript">The archive's bytes; copied.</param>
    /// <param name="device">The device to load onto; null for the CPU.</param>
    /// <param name="inputShape">The image shape [C, H, W] the model takes, checked on every call; null checks nothing.</param>
    /// <param name="classNames">One name per output logit; the output's class count is checked against it.</param>
    /// <param name="source">A name for the archive in messages (its file path, say).</param>
    /// <returns>The wrapper, in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a TorchScript archive, or libtorch cannot load them.</exception>
    public static TorchScriptClassifier FromBytes(byte[] torchScript, Device? device = null, IReadOnlyList<long>? inputShape = null,
        IReadOnlyList<string>? classNames = null, string source = "TorchScript archive")
    {
        ArgumentNullException.ThrowIfNull(torchScript);
        var bytes = torchScript.ToArray();
        var script = TorchScriptArchive.Load(bytes, device, source);
        try
        {
            var model = new TorchScriptClassifier(script, bytes, source, inputShape, classNames);
            model.eval();
            return model;
        }
        catch
        {
            script.Dispose();
            throw;
        }
    }

    /// <summary>Runs the TorchScript module: images [N, C, H, W] to logits [N, K].</summary>
    /// <exception cref="ArgumentException">The images do not have <see cref="InputShape"/>, or (checked on the first
    /// call) the model does not return logits [N, K] with K = the number of <see cref="ClassNames"/>.</exception>
    public override Tensor forward(Tensor input)
    {
        TorchScriptArchive.CheckImages(input, InputShape, Source);

        var output = script.call(input);
        if (!_outputChecked)
        {
            CheckOutput(output, input.dim() > 0 ? input.shape[0] : 1);
            _outputChecked = true;
        }

        return output;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Listed once, when the wrapper is created (its modules never change): TorchSharp's <c>Dispose</c> disposes each
    /// module while enumerating, also when a parent module disposes this one first and then asks it for its children,
    /// and a disposed TorchScript module cannot list them.
    /// </remarks>
    public override IEnumerable<(string name, nn.Module module)> named_modules() => _modules;

    private void CheckOutput(Tensor output, long batch)
    {
        bool logits = output.dim() == 2 && output.shape[0] == batch && output.is_floating_point()
            && (ClassNames is null || output.shape[1] == ClassNames.Count);
        if (!logits)
        {
            string classes = ClassNames is null ? "K" : $"{ClassNames.Count}";
            var message = $"The TorchScript model '{Source}' must return logits [N, K] = [{batch}, {classes}] (floating point) for a batch of {batch}; it returned [{string.Join(", ", output.shape)}] {output.dtype}.";
            output.Dispose();
            throw new ArgumentException(message, "model");
        }
    }
}
