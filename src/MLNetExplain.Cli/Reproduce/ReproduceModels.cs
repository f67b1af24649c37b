using MLNetExplain.Attacks;
using MLNetExplain.Attribution;
using MLNetExplain.Cli.Console;
using MLNetExplain.Explainer;
using MLNetExplain.Models;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// The job's four models, each trained once and checkpointed in <c>checkpoints/</c> so that a rerun loads it: the
/// robust counterpart f' (PGD-L2), a standard classifier (the source of Table 2's standard targets), f with an
/// explainer aligned to f''s SmoothGrad maps (seed 001; every post-hoc method explains this f), and f with an
/// explainer aligned to the standard classifier's SmoothGrad maps (Table 2's ablation).
/// </summary>
internal sealed class ReproduceModels : IDisposable
{
    private ReproduceModels(ConvClassifier robust, ConvClassifier standard, ExplainedClassifier explained, ExplainedClassifier explainedStandard)
    {
        Robust = robust;
        Standard = standard;
        Explained = explained;
        ExplainedStandard = explainedStandard;
    }

    /// <summary>The robust counterpart f'.</summary>
    public ConvClassifier Robust { get; }

    /// <summary>The standard classifier (Table 2's standard targets come from it).</summary>
    public ConvClassifier Standard { get; }

    /// <summary>f with its explainer aligned to f' (seed 001's method); the classifier every method explains.</summary>
    public ExplainedClassifier Explained { get; }

    /// <summary>f with its explainer aligned to the standard classifier's SmoothGrad maps (Table 2).</summary>
    public ExplainedClassifier ExplainedStandard { get; }

    /// <summary>Trains each model that has no checkpoint yet, loading the others.</summary>
    public static ReproduceModels TrainOrLoad(ReproduceOptions o, ReproduceData data, ReproduceProgress progress, CancellationToken token)
    {
        var folder = Path.Combine(o.Output, "checkpoints");
        Directory.CreateDirectory(folder);
        var robust = Classifier(Path.Combine(folder, "robust.zip"), "robust f'", o.RobustEpochs, progress, token, (model, report) =>
            new AdversarialClassifierTrainer(new AdversarialClassifierTrainer.Options
            {
                Epochs = o.RobustEpochs, BatchSize = 128, LearningRate = 0.1, Seed = o.Seed,
                Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = o.Epsilon, Steps = o.AttackSteps },
            }).Train(model, data.TrainImages, data.TrainLabels, report, token), o.Seed);
        var standard = Classifier(Path.Combine(folder, "standard.zip"), "standard classifier", o.StandardEpochs, progress, token, (model, report) =>
            new ClassifierTrainer(new ClassifierTrainer.Options { Epochs = o.StandardEpochs, BatchSize = 128, LearningRate = 0.1, Seed = o.Seed + 1 })
                .Train(model, data.TrainImages, data.TrainLabels, report, token), o.Seed + 1);
        var explained = TrainExplained(Path.Combine(folder, "explained-robust.zip"), "f + explainer (robust targets)", robust, o, data, progress, token, o.Seed + 2);
        var explainedStandard = TrainExplained(Path.Combine(folder, "explained-standard.zip"), "f + explainer (standard targets)", standard, o, data, progress, token, o.Seed + 3);
        return new ReproduceModels(robust, standard, explained, explainedStandard);
    }

    /// <summary>
    /// Seed 001's alignment targets g(model, x): SmoothGrad of <paramref name="model"/> for the true classes, summed
    /// over channels and scaled to a largest value of 1 per image (as the RobustAttribution stage).
    /// </summary>
    public static Tensor Targets(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int samples, long seed, CancellationToken token)
    {
        using var method = new SmoothGrad(model, new SmoothGradOptions { Samples = samples, Seed = seed });
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += 256)
        {
            token.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long n = Math.Min(256, images.shape[0] - start);
            var maps = method.Attribute(images.narrow(0, start, n), labels.narrow(0, start, n));
            parts.Add(AttributionPostprocessing.Apply(maps, ChannelReduction.Sum, AttributionNormalization.MaxAbs).MoveToOuterDisposeScope());
        }

        var all = cat(parts, 0);
        parts.ForEach(p => p.Dispose());
        return all;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Robust.Dispose();
        Standard.Dispose();
        Explained.Dispose();
        ExplainedStandard.Dispose();
    }

    private static ConvClassifier Classifier(string path, string what, int epochs, ReproduceProgress progress, CancellationToken token,
        Action<ConvClassifier, IProgress<TrainingProgress>> train, long seed)
    {
        if (File.Exists(path))
        {
            progress.Log($"{what}: loaded {path}");
            var loaded = ClassifierFile.Load(path);
            loaded.eval();
            return loaded;
        }

        using var generator = new Generator(unchecked((ulong)seed));
        var model = ReproduceOptions.Spec.Build(generator);
        progress.Begin(what, epochs);
        train(model, new ProgressSink<TrainingProgress>(p => progress.Step(what, p.Epoch, p.Epochs,
            FormattableString.Invariant($"{what} epoch {p.Epoch}/{p.Epochs}: loss {p.Loss:F3}, accuracy {p.Accuracy * 100:F1}%"))));
        ClassifierFile.Save(path, model, ReproduceOptions.Spec);
        model.eval();
        return model;
    }

    private static ExplainedClassifier TrainExplained(string path, string what, nn.Module<Tensor, Tensor> targetModel, ReproduceOptions o,
        ReproduceData data, ReproduceProgress progress, CancellationToken token, long seed)
    {
        if (File.Exists(path))
        {
            progress.Log($"{what}: loaded {path}");
            var loaded = ExplainedClassifierFile.Load(path, _ => ReproduceOptions.Spec.Build());
            loaded.eval();
            return loaded;
        }

        progress.Begin(what, o.Epochs + 1);
        using var targets = Targets(targetModel, data.TrainImages, data.TrainLabels, o.Samples, seed, token);
        progress.Step(what, 1, o.Epochs + 1, $"{what}: alignment targets ({o.Samples}-sample SmoothGrad) of {data.TrainImages.shape[0]} images");
        using var generator = new Generator(unchecked((ulong)seed));
        var trainer = new ExplainerAlignmentTrainer(new ExplainerAlignmentOptions
        {
            Epochs = o.Epochs, BatchSize = 128, LearningRate = 0.1, Lambda = o.Lambda, DecayEpochs = Math.Max(1, o.Epochs / 3), Seed = seed,
        });
        var model = trainer.Fit(ReproduceOptions.Spec.Build(generator), data.TrainImages, data.TrainLabels, targets,
            new ProgressSink<ExplainerAlignmentProgress>(p => progress.Step(what, p.Epoch + 1, o.Epochs + 1,
                FormattableString.Invariant($"{what} epoch {p.Epoch}/{p.Epochs}: cross-entropy {p.CrossEntropy:F3}, distance {p.Distance:F3}, accuracy {p.Accuracy * 100:F1}%"))),
            token);
        ExplainedClassifierFile.Save(path, model, "SmallCnn");
        model.eval();
        return model;
    }
}
