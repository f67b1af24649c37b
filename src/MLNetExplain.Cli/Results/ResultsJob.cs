using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNetExplain.Attacks;
using MLNetExplain.Cli.Console;
using MLNetExplain.Cli.Demo;
using MLNetExplain.Datasets;
using MLNetExplain.ML.Data;
using MLNetExplain.ML.Imaging;
using MLNetExplain.ML.Trainers;
using MLNetExplain.Models;
using MLNetExplain.Training;
using Spectre.Console;
using TorchSharp;

namespace MLNetExplain.Cli.Results;

/// <summary>
/// The reproducible results: a standard and an adversarially trained (PGD-7, L2, eps 1.5) small CNN on
/// Fashion-MNIST, with clean accuracy (ML.NET's evaluator) and accuracy under PGD-20 L2 at eps 1.5 (step
/// 2.5 eps / steps, best iterate), printed and written as a markdown table.
/// </summary>
internal sealed class ResultsJob(ResultsOptions options, IAnsiConsole console)
{
    private const double Epsilon = 1.5;
    private const string StandardModel = "Standard (SGD, cosine)";
    private const string AdversarialModel = "Adversarial (PGD-7 L2 eps 1.5)";

    /// <summary>Runs the job, prints the table and writes the markdown; returns the exit code (2 for settings out of range, 130 when cancelled).</summary>
    public int Run(CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var rows = new List<ResultsRow>();
        try
        {
            StageProgress.Run(console, progress => Train(progress, rows, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]Cancelled.[/]");
            return 130;
        }

        var table = new Table().AddColumns("Model", Invariant($"Clean accuracy ({Math.Min(options.TestRows, 10000)})"),
            Invariant($"PGD-20 L2 eps 1.5 ({Math.Min(options.EvalRows, options.TestRows)})"), "Training time");
        foreach (var row in rows)
        {
            table.AddRow(row.Model, Invariant($"{row.CleanAccuracy * 100:F2}%"), Invariant($"{row.RobustAccuracy * 100:F2}%"), Invariant($"{row.TrainingTime.TotalMinutes:F1} min"));
        }

        console.Write(table);
        PngFile.WriteAtomically(options.Output, Encoding.UTF8.GetBytes(Markdown(rows, clock.Elapsed)));
        console.MarkupLine($"Wrote [blue]{Markup.Escape(options.Output)}[/]; total {clock.Elapsed.TotalMinutes:F1} minutes.");
        return 0;
    }

    private void Train(StageProgress progress, List<ResultsRow> rows, CancellationToken token)
    {
        var mlContext = new MLContext(options.Seed);
        var train = mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnist(DatasetSplit.Train), options.TrainRows);
        var test = mlContext.Data.Cache(mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnist(DatasetSplit.Test), options.TestRows));
        var spec = ClassifierSpec.SmallCnn(10, 1, 16).WithNormalization([0.2860f], [0.3530f]);
        progress.Add(StandardModel, options.Epochs);
        progress.Add(AdversarialModel, options.RobustEpochs);

        var standard = new ImageClassificationTrainer.Options
        {
            Model = spec, Epochs = options.Epochs, BatchSize = 128, LearningRate = 0.1, Seed = options.Seed, CancellationToken = token,
            Progress = Report(progress, StandardModel),
        };
        rows.Add(Measure(mlContext, StandardModel, mlContext.MulticlassClassification.Trainers.ImageClassification(standard), train, test, token));

        var adversarial = new AdversarialImageClassificationTrainer.Options
        {
            Model = spec, Epochs = options.RobustEpochs, BatchSize = 128, LearningRate = 0.1, Seed = options.Seed, CancellationToken = token,
            Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = Epsilon, Steps = 7 },
            Progress = Report(progress, AdversarialModel),
        };
        rows.Add(Measure(mlContext, AdversarialModel, mlContext.MulticlassClassification.Trainers.AdversarialImageClassification(adversarial), train, test, token));
    }

    private ResultsRow Measure(MLContext mlContext, string name, ImageClassificationTrainer trainer, IDataView train, IDataView test, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        using var model = trainer.Fit(train);
        var time = clock.Elapsed;
        double clean = mlContext.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        using var scope = torch.NewDisposeScope();
        var (images, labels) = LabelledImages.Read(mlContext, test, options.EvalRows);
        var attack = new PgdAttack(new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = Epsilon, Steps = 20 });
        double robust = ClassifierEvaluation.RobustAccuracy(model.Model, images, labels, attack, seed: options.Seed, cancellationToken: token);
        return new ResultsRow(name, clean, robust, time);
    }

    private static ProgressSink<TrainingProgress> Report(StageProgress progress, string stage) =>
        new(p => progress.Set(stage, p.Epoch, p.Epochs, Invariant($"loss {p.Loss:F3}, training accuracy {p.Accuracy * 100:F1}%")));

    private string Markdown(IReadOnlyList<ResultsRow> rows, TimeSpan total)
    {
        var o = options;
        var md = new StringBuilder()
            .AppendLine("# Standard vs adversarially trained small CNN on Fashion-MNIST")
            .AppendLine()
            .AppendLine(Invariant($"`mlnetexplain results --epochs {o.Epochs} --robust-epochs {o.RobustEpochs} --train-rows {o.TrainRows} --test-rows {o.TestRows} --eval-rows {o.EvalRows} --seed {o.Seed}`"))
            .AppendLine()
            .AppendLine(Invariant($"Small CNN (width 16, normalisation inside the model), SGD momentum 0.9, lr 0.1, cosine schedule, batch 128, "))
            .AppendLine(Invariant($"{Math.Min(o.TrainRows, 60000)} training images. Adversarial training: PGD-7 L2 at eps 1.5 (step 2.5 eps / steps, "))
            .AppendLine(Invariant($"best iterate, attack in eval mode). Evaluation attack: PGD-20 L2 at eps 1.5. {torch.get_num_threads()} CPU threads."))
            .AppendLine()
            .AppendLine(Invariant($"| Model | Clean accuracy ({Math.Min(o.TestRows, 10000)}) | PGD-20 L2 eps 1.5 ({Math.Min(o.EvalRows, o.TestRows)}) | Training time |"))
            .AppendLine("|---|---:|---:|---:|");
        foreach (var row in rows)
        {
            md.AppendLine(Invariant($"| {row.Model} | {row.CleanAccuracy * 100:F2}% | {row.RobustAccuracy * 100:F2}% | {row.TrainingTime.TotalMinutes:F1} min |"));
        }

        return md.AppendLine().AppendLine(Invariant($"Total run time: {total.TotalMinutes:F1} minutes.")).ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
