using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNetExplain.Attacks;
using MLNetExplain.Attribution;
using MLNetExplain.Cli.Console;
using MLNetExplain.Cli.Reporting;
using MLNetExplain.Datasets;
using MLNetExplain.Explainer;
using MLNetExplain.ML.Data;
using MLNetExplain.ML.Imaging;
using MLNetExplain.ML.Persistence;
using MLNetExplain.ML.Stages;
using MLNetExplain.ML.Trainers;
using MLNetExplain.Training;
using Spectre.Console;
using TorchSharp;

namespace MLNetExplain.Cli.Demo;

/// <summary>
/// The main job, seed 001 end to end on Fashion-MNIST with ML.NET pipelines: trains the robust counterpart f'
/// (PGD-L2), appends its robust attributions (SmoothGrad) with the RobustAttribution stage, trains the classifier f
/// with an aligned explainer head, then writes a PNG grid, the saved pipeline and an HTML report (accuracy, robust
/// accuracy, latency of the explainer vs saliency, deletion curves).
/// </summary>
internal sealed class DemoJob(DemoOptions options, IAnsiConsole console)
{
    private const string RobustStage = "Train robust f' (PGD-L2)";
    private const string AttributionStage = "Robust attributions g(f', x)";
    private const string ExplainerStage = "Train f + explainer";
    private const string EvaluationStage = "Evaluate and write report";
    private const int EvaluationSteps = 7;

    /// <summary>The files the job writes in the output folder.</summary>
    public static readonly string[] OutputFiles = ["explanations.png", "pipeline.zip", "report.html"];

    /// <summary>Runs the job; returns the process exit code (2 for settings out of range, 130 when cancelled).</summary>
    public int Run(CancellationToken cancellationToken) => Run(cancellationToken, _ => { });

    /// <summary>Runs the job, showing <paramref name="inspect"/> the trained models before they are disposed.</summary>
    internal int Run(CancellationToken cancellationToken, Action<DemoModels> inspect)
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
        Directory.CreateDirectory(options.Output);
        var report = new DemoReport { Options = options, Threads = torch.get_num_threads() };
        console.MarkupLine($"[bold]MLNetExplain demo[/]: robust attribution alignment (seed 001) on Fashion-MNIST, {report.Threads} threads, " +
            $"output [blue]{Markup.Escape(Path.GetFullPath(options.Output))}[/]");
        try
        {
            StageProgress.Run(console, progress => Train(progress, report, clock, inspect, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]Cancelled.[/]");
            return 130;
        }

        console.Write(Summary(report));
        console.MarkupLine($"Wrote [blue]{string.Join("[/], [blue]", OutputFiles)}[/] in {report.Elapsed.TotalMinutes:F1} minutes.");
        return 0;
    }

    private void Train(StageProgress progress, DemoReport report, Stopwatch clock, Action<DemoModels> inspect, CancellationToken token)
    {
        progress.Add(RobustStage, options.RobustEpochs);
        progress.Add(AttributionStage, options.TrainRows);
        progress.Add(ExplainerStage, options.Epochs);
        progress.Add(EvaluationStage, EvaluationSteps);

        var mlContext = new MLContext(options.Seed);
        var train = mlContext.Data.Cache(mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnist(DatasetSplit.Train), options.TrainRows));
        var test = mlContext.Data.Cache(mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnist(DatasetSplit.Test), options.TestRows));
        // Fashion-MNIST has 60000 training images; TakeRows stops there.
        int trainRows = Math.Min(options.TrainRows, 60000);

        using var robust = mlContext.MulticlassClassification.Trainers.AdversarialImageClassification(new AdversarialImageClassificationTrainer.Options
        {
            Model = options.Spec, Epochs = options.RobustEpochs, BatchSize = 128, LearningRate = 0.1, Seed = options.Seed,
            Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = options.Epsilon, Steps = options.AttackSteps },
            Progress = new ProgressSink<TrainingProgress>(p =>
            {
                var line = Invariant($"f' epoch {p.Epoch}/{p.Epochs}: loss {p.Loss:F3}, adversarial accuracy {p.Accuracy * 100:F1}%, {p.ImagesPerSecond:F0} images/s");
                report.Log.Add(line);
                progress.Set(RobustStage, p.Epoch, p.Epochs, line);
            }),
            CancellationToken = token,
        }).Fit(train);

        // The robust maps are computed lazily, batch by batch, while the explainer's trainer reads its rows.
        var targets = mlContext.Transforms.RobustAttribution(robust.Model, new RobustAttributionOptions
        {
            SmoothGrad = new SmoothGradOptions { Samples = options.Samples, Seed = options.Seed },
            Progress = new ProgressSink<long>(rows => progress.Set(AttributionStage, rows, trainRows)),
        }).Fit(train).Transform(train);

        using var explained = mlContext.MulticlassClassification.Trainers.ExplainerAlignment(new ExplainedImageClassificationTrainer.Options
        {
            RobustAttributionColumnName = "RobustAttribution", Model = options.Spec, Epochs = options.Epochs, BatchSize = 128,
            LearningRate = 0.1, Lambda = options.Lambda, DecayEpochs = Math.Max(1, options.Epochs / 3), Seed = options.Seed + 1,
            Progress = new ProgressSink<ExplainerAlignmentProgress>(p =>
            {
                var line = Invariant($"f + E epoch {p.Epoch}/{p.Epochs}: loss {p.Loss:F3}, cross-entropy {p.CrossEntropy:F3}, distance {p.Distance:F3}, accuracy {p.Accuracy * 100:F1}%, {p.ImagesPerSecond:F0} images/s");
                report.Log.Add(line);
                progress.Set(ExplainerStage, p.Epoch, p.Epochs, line);
            }),
            CancellationToken = token,
        }).Fit(targets);

        int step = 0;
        void Done(string what) => progress.Set(EvaluationStage, ++step, EvaluationSteps, what);

        report.ClassifierAccuracy = mlContext.MulticlassClassification.Evaluate(explained.Transform(test)).MicroAccuracy;
        report.RobustCleanAccuracy = mlContext.MulticlassClassification.Evaluate(robust.Transform(test)).MicroAccuracy;
        Done("accuracy");

        using (var scope = torch.NewDisposeScope())
        {
            var (images, labels) = LabelledImages.Read(mlContext, test, options.AttackedRows);
            report.AttackedRows = (int)images.shape[0];
            var attack = new PgdAttack(new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = options.Epsilon, Steps = 20 });
            report.RobustAdversarialAccuracy = ClassifierEvaluation.RobustAccuracy(robust.Model, images, labels, attack, seed: options.Seed, cancellationToken: token);
        }

        Done("robust accuracy");

        mlContext.Model.SaveWithExplainers(explained, test.Schema, Path.Combine(options.Output, "pipeline.zip"));
        Done("pipeline.zip");

        var maps = new DemoMaps(mlContext, explained, robust, test, options);
        var grid = ExplanationGrid.Build(maps.GridRows(options.GridImages), explained.ClassNames ?? FashionMnist.ClassNames);
        using (var page = grid.Render())
        {
            report.Grid = PngFile.Encode(page);
        }

        PngFile.WriteAtomically(Path.Combine(options.Output, "explanations.png"), report.Grid);
        Done("explanations.png");

        report.Latency = maps.MeasureLatency(token);
        Done("latency");

        report.Deletion = maps.DeletionCurves(options.DeletionRows, token);
        report.DeletionRows = Math.Min(options.DeletionRows, options.TestRows);
        Done("deletion curves");

        report.Elapsed = clock.Elapsed;
        HtmlReport.Write(Path.Combine(options.Output, "report.html"), report);
        Done("report.html");
        inspect(new DemoModels(mlContext, explained, robust, test));
    }

    private static Table Summary(DemoReport report)
    {
        var o = report.Options;
        var table = new Table().AddColumns("Measure", "Value");
        table.AddRow("Accuracy of f (with explainer)", Invariant($"{report.ClassifierAccuracy * 100:F1}%"));
        table.AddRow("Accuracy of robust f' (clean)", Invariant($"{report.RobustCleanAccuracy * 100:F1}%"));
        table.AddRow(Invariant($"Accuracy of f' under PGD-20 L2 eps {o.Epsilon} ({report.AttackedRows} images)"), Invariant($"{report.RobustAdversarialAccuracy * 100:F1}%"));
        foreach (var l in report.Latency)
        {
            table.AddRow(Markup.Escape($"Latency per image, {l.Method} (batch {l.BatchSize})"), Invariant($"{l.MillisecondsPerImage:F3} ms"));
        }

        foreach (var d in report.Deletion)
        {
            table.AddRow($"Deletion AUC, {d.Method} (lower is better)", Invariant($"{d.Area:F3}"));
        }

        return table;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
