using System.Diagnostics;
using System.Text.Json;
using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using MLNetExplain.Models;
using MLNetExplain.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Explainer;

/// <summary>
/// Seed 001's explainer alignment on tensors: trains a classifier f jointly with an <see cref="ExplainerHead"/> E on
/// f's last feature map h, minimising CE(f(x), y) + lambda * d(E(h), g) where g is the robust attribution of an
/// adversarially trained counterpart f' (precomputed, or SmoothGrad of <see cref="ExplainerAlignmentOptions.RobustModel"/>
/// on the fly). In post-hoc mode f is frozen and only E trains.
/// </summary>
/// <remarks>
/// SGD with momentum, step decay per epoch and a linear warm-up over the first steps. Each epoch visits the rows
/// in <see cref="EpochOrder"/>; one dispose scope per step keeps memory flat. Same seed and inputs, same result on
/// the CPU.
/// </remarks>
public sealed class ExplainerAlignmentTrainer
{
    /// <summary>Creates the trainer.</summary>
    /// <param name="options">The settings; null takes the defaults.</param>
    public ExplainerAlignmentTrainer(ExplainerAlignmentOptions? options = null)
    {
        Options = options ?? new ExplainerAlignmentOptions();
        Options.Validate();
    }

    /// <summary>The settings.</summary>
    public ExplainerAlignmentOptions Options { get; }

    /// <summary>
    /// Trains <paramref name="classifier"/> (in place, unless post-hoc) together with a new head and returns both as
    /// one model, in eval mode on the classifier's device.
    /// </summary>
    /// <param name="classifier">The classifier f, initialised (or trained, for post-hoc mode). It becomes part of the result.</param>
    /// <param name="images">Training images [N, C, H, W], pixels in [0, 1]; any device.</param>
    /// <param name="labels">Class indices, int64 [N].</param>
    /// <param name="robustTargets">Precomputed robust attributions [N, 1 or C, H, W]; null computes them with <see cref="ExplainerAlignmentOptions.RobustModel"/>.</param>
    /// <param name="progress">Receives a report after each epoch.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <exception cref="ArgumentException">Shapes or types that do not fit, or neither (or both) targets and a robust model.</exception>
    public ExplainedClassifier Fit(ConvClassifier classifier, Tensor images, Tensor labels, Tensor? robustTargets = null,
        IProgress<ExplainerAlignmentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        var o = Options;
        Check(classifier, images, labels, robustTargets);
        // Parameter gradients run through the input-gradients of every convolution after the first.
        ModuleProtection.Protect(classifier);
        var device = ModuleDevice.Of(classifier);
        var dtype = classifier.parameters().FirstOrDefault(p => p.is_floating_point())?.dtype ?? images.dtype;
        if (images.dtype != dtype)
        {
            throw new ArgumentException($"images are {images.dtype} but the classifier's parameters are {dtype}; convert one to the other.", nameof(images));
        }

        var spec = HeadSpec(classifier, images, robustTargets?.shape[1] ?? 1, device);
        ExplainerHead head;
        using (var initialisation = new Generator(SeedFor(o.Seed, 0, 0)))
        {
            head = spec.Build(initialisation);
        }

        try
        {
            head.to(device);
            head.to(dtype);
            var network = new ExplainedClassifier(classifier, head);
            var trainable = o.PostHoc ? head.parameters() : network.parameters();
            using var optimizer = optim.SGD(trainable, o.LearningRate, o.Momentum, 0, o.WeightDecay);
            using var robust = robustTargets is null ? new SmoothGrad(o.RobustModel!, o.RobustSmoothGrad) : null;
            string configuration = Configuration(spec);
            int start = o.ResumeFromCheckpoint && o.CheckpointPath is { } resume && File.Exists(resume)
                ? Checkpoint.Restore(resume, network, optimizer, configuration)
                : 0;
            long stepsPerEpoch = (images.shape[0] + o.BatchSize - 1) / o.BatchSize;
            for (int epoch = start; epoch < o.Epochs; epoch++)
            {
                var report = RunEpoch(network, optimizer, images, labels, robustTargets, robust, epoch, epoch * stepsPerEpoch, device, cancellationToken);
                if (o.CheckpointPath is { } checkpoint)
                {
                    Checkpoint.Save(checkpoint, network, optimizer, configuration, epoch + 1);
                }

                progress?.Report(report);
            }

            network.eval();
            return network;
        }
        catch
        {
            // The caller's classifier is left as every trainer leaves it, in eval mode, also when cancelled.
            classifier.eval();
            head.Dispose();
            throw;
        }
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> of a run seeded <paramref name="seed"/> visits <paramref name="rows"/> rows (int64, CPU).</summary>
    public static Tensor EpochOrder(long seed, int epoch, long rows)
    {
        using var shuffle = new Generator(SeedFor(seed, 1, epoch));
        return randperm(rows, generator: shuffle);
    }

    private ExplainerAlignmentProgress RunEpoch(ExplainedClassifier network, TorchSharp.Modules.SGD optimizer, Tensor images, Tensor labels,
        Tensor? robustTargets, SmoothGrad? robust, int epoch, long step, Device device, CancellationToken cancellationToken)
    {
        var o = Options;
        var clock = Stopwatch.StartNew();
        network.train();
        if (o.PostHoc)
        {
            network.Classifier.eval();
        }

        double epochRate = o.DecayEpochs == 0 ? o.LearningRate : o.LearningRate * Math.Pow(o.DecayFactor, epoch / o.DecayEpochs);
        using var order = EpochOrder(o.Seed, epoch, images.shape[0]);
        // Noise per epoch from the seed, so a resumed run draws what an uninterrupted one would.
        using var noise = new Generator(SeedFor(o.Seed, 2, epoch));
        long rows = images.shape[0];
        double loss = 0, crossEntropy = 0, distance = 0, correct = 0;
        for (long first = 0; first < rows; first += o.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long count = Math.Min(o.BatchSize, rows - first);
            var index = order.narrow(0, first, count);
            var x = images.index_select(0, index.to(images.device)).to(device);
            var y = labels.index_select(0, index.to(labels.device)).to(device).to_type(ScalarType.Int64);
            var raw = robustTargets is null
                ? RobustAttribution(robust!, x, y, noise, network.Explainer.OutputChannels)
                : robustTargets.index_select(0, index.to(robustTargets.device)).to(device);
            var target = AttributionPostprocessing.Apply(raw.to_type(x.dtype), ChannelReduction.None, o.TargetNormalization);
            var parts = ExplainerAlignmentLoss.Compute(network, x, y, target, o.Lambda, o.Distance, o.PostHoc);
            optimizer.zero_grad();
            parts.Total.backward();
            double rate = step < o.WarmupSteps ? epochRate * (step + 1) / o.WarmupSteps : epochRate;
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = rate;
            }

            optimizer.step();
            step++;
            using (no_grad())
            {
                loss += Value(parts.Total) * count;
                crossEntropy += Value(parts.CrossEntropy) * count;
                distance += Value(parts.Distance) * count;
                correct += parts.Logits.argmax(1).eq(y).sum().to_type(ScalarType.Float64).item<double>();
            }
        }

        return new ExplainerAlignmentProgress(epoch + 1, o.Epochs, loss / rows, crossEntropy / rows, distance / rows, correct / rows, rows / clock.Elapsed.TotalSeconds);
    }

    // SmoothGrad of f' for the true class; a one-channel head aligns to the channel sum (seed 001 does not say; docs/explainer.md).
    private static Tensor RobustAttribution(SmoothGrad robust, Tensor x, Tensor y, Generator noise, int mapChannels)
    {
        var g = robust.Attribute(x, y, noise);
        return mapChannels == 1 && g.shape[1] != 1 ? g.sum(1, keepdim: true) : g;
    }

    private static double Value(Tensor scalar) => scalar.detach().to_type(ScalarType.Float64).item<double>();

    private void Check(ConvClassifier classifier, Tensor images, Tensor labels, Tensor? robustTargets)
    {
        AttributionInputs.Check(images, labels);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"images must be [N, C, H, W]; got [{AttributionInputs.Shape(images)}].", nameof(images));
        }

        long min = labels.min().to_type(ScalarType.Int64).item<long>(), max = labels.max().to_type(ScalarType.Int64).item<long>();
        if (min < 0 || max >= classifier.NumClasses)
        {
            throw new ArgumentException($"labels must lie in [0, {classifier.NumClasses - 1}] (the classifier's classes); got values from {min} to {max}.", nameof(labels));
        }

        if (robustTargets is null)
        {
            if (Options.RobustModel is null)
            {
                throw new ArgumentException("Give robustTargets (precomputed robust attributions) or set Options.RobustModel (targets on the fly).", nameof(robustTargets));
            }

            return;
        }

        if (Options.RobustModel is not null)
        {
            throw new ArgumentException("Give either robustTargets or Options.RobustModel, not both.", nameof(robustTargets));
        }

        var (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3]);
        if (robustTargets.dim() != 4 || robustTargets.shape[0] != n || (robustTargets.shape[1] != 1 && robustTargets.shape[1] != c)
            || robustTargets.shape[2] != h || robustTargets.shape[3] != w || !robustTargets.is_floating_point())
        {
            throw new ArgumentException($"robustTargets must be floating point [{n}, 1 or {c}, {h}, {w}] (one map per image); got {robustTargets.dtype} [{AttributionInputs.Shape(robustTargets)}].", nameof(robustTargets));
        }
    }

    // The feature map's size comes from one probe forward pass in eval mode.
    private ExplainerHeadSpec HeadSpec(ConvClassifier classifier, Tensor images, long mapChannels, Device device)
    {
        using var mode = new EvalMode(classifier);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var h = classifier.Features(images.narrow(0, 0, 1).to(device));
        if (h.dim() != 4 || h.shape[1] != classifier.FeatureChannels)
        {
            throw new ArgumentException($"The classifier's Features must return a map [N, {classifier.FeatureChannels}, h, w]; it returned [{AttributionInputs.Shape(h)}].", nameof(classifier));
        }

        return new ExplainerHeadSpec(h.shape[1], (int)h.shape[2], (int)h.shape[3], (int)images.shape[2], (int)images.shape[3], (int)mapChannels, Options.HeadLayers);
    }

    private string Configuration(ExplainerHeadSpec spec)
    {
        var o = Options;
        return JsonSerializer.Serialize(new { spec, o.PostHoc, o.Seed, o.BatchSize, o.Lambda, o.Distance, o.LearningRate, o.WarmupSteps, o.TargetNormalization });
    }

    private static ulong SeedFor(long seed, int stream, int epoch) =>
        unchecked(((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(stream + 1) * 0xBF58476D1CE4E5B9UL) ^ (ulong)epoch);

    /// <summary>
    /// Checkpoints: <c>state.json</c> (configuration, epochs done) and the network and optimiser state as a training
    /// checkpoint holds them, in one zip written atomically. The step count is not stored: it follows from the epochs.
    /// </summary>
    private static class Checkpoint
    {
        private const string StateEntry = "state.json";
        private const string NetworkEntry = "network.safetensors";

        public static void Save(string path, ExplainedClassifier network, TorchSharp.Modules.SGD optimizer, string configuration, int epochsDone) =>
            ModelArchive.Write(path,
            [
                new(StateEntry, s => JsonSerializer.Serialize(s, new State(configuration, epochsDone)), System.IO.Compression.CompressionLevel.Fastest),
                .. TrainingCheckpoint.State(NetworkEntry, network, optimizer),
            ]);

        public static int Restore(string path, ExplainedClassifier network, TorchSharp.Modules.SGD optimizer, string configuration) =>
            ModelArchive.Read(path, "explainer-alignment checkpoint", archive =>
            {
                var state = archive.Json<State>(StateEntry);
                if (state.Configuration != configuration)
                {
                    throw new InvalidDataException("It was written for another configuration; delete it or turn off ResumeFromCheckpoint.");
                }

                TrainingCheckpoint.RestoreState(archive, NetworkEntry, network, optimizer);
                return state.EpochsDone;
            });

        private sealed record State(string Configuration, int EpochsDone);
    }
}
