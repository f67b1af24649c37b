using System.Diagnostics;
using MLNetExplain.Data;
using MLNetExplain.Training;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Models;
using Spectre.Console;

namespace MLNetExplain.Cli.Results;

/// <summary>Settings of the results job; defaults finish well under an hour on 2 CPU cores.</summary>
public sealed record ResultsOptions
{
    /// <summary>Epochs of standard training.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Epochs of PGD-7 L2 adversarial training at epsilon 1.5.</summary>
    public int RobustEpochs { get; init; } = 4;

    /// <summary>Training images (of 60000).</summary>
    public int TrainRows { get; init; } = 60000;

    /// <summary>Test images attacked with PGD-20 (clean accuracy always uses all 10000).</summary>
    public int EvalRows { get; init; } = 2000;

    /// <summary>Seed of every stochastic stage.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// Issue 4's reproducible results: a standard and an adversarially trained (PGD-7, L2, eps 1.5) classifier on
/// Fashion-MNIST, with clean accuracy and accuracy under PGD-20 L2 at eps 1.5 (step 2.5 eps / steps, best iterate).
/// </summary>
public sealed class ResultsJob(ResultsOptions options, IAnsiConsole console)
{
    private static readonly PgdAttackOptions Evaluation = new() { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 20 };

    /// <summary>Runs the job and prints the table; returns the exit code.</summary>
    public int Run(CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var context = new ExplainContext(options.Seed) { CancellationToken = token };
        context.Log += (_, e) => console.MarkupLine($"[grey]{Markup.Escape(e.Source)}: {Markup.Escape(e.Message)}[/]");
        var pixels = context.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f);
        var trainRaw = context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Train), options.TrainRows);
        var train = pixels.Fit(trainRaw).Transform(context.Data.Cache(trainRaw));
        var test = pixels.Fit(trainRaw).Transform(context.Data.LoadFashionMnist(DatasetSplit.Test));
        var attacked = context.Data.TakeRows(test, options.EvalRows);
        var spec = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.2860f], [0.3530f]);

        var table = new Table().AddColumns("Model", "Clean accuracy (10000)", $"PGD-20 L2 eps 1.5 ({options.EvalRows})", "Training time");
        var trainClock = Stopwatch.StartNew();
        using (var standard = context.MulticlassClassification.Trainers.ImageClassification(new ImageClassificationTrainer.Options
               {
                   Model = spec, Epochs = options.Epochs, BatchSize = 128, LearningRate = 0.1, Seed = options.Seed,
               }).Fit(train))
        {
            var time = trainClock.Elapsed;
            table.AddRow("Standard (SGD, cosine)", Clean(context, standard, test), Robust(context, standard, attacked), $"{time.TotalMinutes:F1} min");
        }

        trainClock.Restart();
        using (var robust = context.MulticlassClassification.Trainers.AdversarialImageClassification(new AdversarialImageClassificationTrainer.Options
               {
                   Model = spec, Epochs = options.RobustEpochs, BatchSize = 128, LearningRate = 0.1, Seed = options.Seed,
                   Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = 1.5, Steps = 7 },
               }).Fit(train))
        {
            var time = trainClock.Elapsed;
            table.AddRow("Adversarial (PGD-7 L2 eps 1.5)", Clean(context, robust, test), Robust(context, robust, attacked), $"{time.TotalMinutes:F1} min");
        }

        console.Write(table);
        console.MarkupLine($"Total {clock.Elapsed.TotalMinutes:F1} minutes.");
        return 0;
    }

    private static string Clean(ExplainContext context, ImageClassificationTransformer model, IDataView test) =>
        $"{context.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy:P2}";

    private string Robust(ExplainContext context, ImageClassificationTransformer model, IDataView test) =>
        $"{context.MulticlassClassification.EvaluateRobustness(model, test, Evaluation, seed: options.Seed):P2}";
}
