using MLNetExplain.Attribution;
using MLNetExplain.Attribution.Methods;
using MLNetExplain.Data;
using MLNetExplain.Data.Batching;
using MLNetExplain.Evaluation;
using MLNetExplain.Torch;
using MLNetExplain.Training;
using MLNetExplain.Training.Attacks;
using MLNetExplain.Training.Explainer;
using MLNetExplain.Training.Trainers;
using MLNetExplain.Vision;
using MLNetExplain.Vision.Datasets;
using MLNetExplain.Vision.Transforms;
using Spectre.Console;
using MLNetExplain.Cli.Reporting;

namespace MLNetExplain.Cli.Demo;

/// <summary>
/// The main job, seed 001 end to end on Fashion-MNIST: trains the robust counterpart f' (PGD-L2), computes its
/// robust attributions (SmoothGrad), trains the classifier f with an aligned explainer head, then writes a PNG grid,
/// the saved pipeline and an HTML report (accuracy, latency of explainer vs saliency, deletion curves).
/// </summary>
public sealed class DemoJob(DemoOptions options, IAnsiConsole console)
{
    /// <summary>Runs the job; returns the process exit code.</summary>
    public int Run(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Output);
        var context = new ExplainContext(options.Seed) { CancellationToken = cancellationToken };
        var report = new DemoReport { Options = options, Threads = Torch.Torch.NumThreads };
        var started = DateTime.UtcNow;
        console.MarkupLine($"[bold]MLNetExplain demo[/]: robust attribution alignment (seed 001) on Fashion-MNIST, {Torch.Torch.NumThreads} threads, output [blue]{Markup.Escape(Path.GetFullPath(options.Output))}[/]");

        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(progress =>
            {
                var loading = progress.AddTask("Load Fashion-MNIST", maxValue: 1);
                var robustTask = progress.AddTask("Train robust f' (PGD-L2)", maxValue: options.RobustEpochs);
                var attributionTask = progress.AddTask("Robust attributions g(f', x)", maxValue: options.TrainRows);
                var explainerTask = progress.AddTask("Train f + explainer", maxValue: options.Epochs);
                var evaluationTask = progress.AddTask("Evaluate and write report", maxValue: 5);

                var pixels = context.Transforms.ExtractPixels("Features", "Image", scaleImage: 1 / 255f);
                var trainRaw = context.Data.Cache(context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Train), options.TrainRows));
                var testRaw = context.Data.Cache(context.Data.TakeRows(context.Data.LoadFashionMnist(DatasetSplit.Test), options.TestRows));
                var pixelModel = pixels.Fit(trainRaw);
                var train = pixelModel.Transform(trainRaw);
                var test = pixelModel.Transform(testRaw);
                loading.Increment(1);

                context.Progress = new ProgressSink(r => robustTask.Value = r.Step, r => report.Log.Add($"f' epoch {r.Step}: " + Describe(r)));
                using var robust = context.MulticlassClassification.Trainers.AdversarialImageClassification(new AdversarialImageClassificationTrainer.Options
                {
                    Model = options.Spec, Epochs = options.RobustEpochs, BatchSize = 128, LearningRate = 0.1, Seed = options.Seed,
                    Attack = new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = options.Epsilon, Steps = options.AttackSteps },
                }).Fit(train);

                var targets = context.Data.Cache(
                    context.Transforms.RobustAttribution(robust, samples: options.Samples, seed: options.Seed).Fit(train).Transform(train),
                    new ProgressSink<long>(rows => attributionTask.Value = rows));

                context.Progress = new ProgressSink(r => explainerTask.Value = r.Step, r => report.Log.Add($"f + E epoch {r.Step}: " + Describe(r)));
                var explained = context.MulticlassClassification.Trainers.ExplainerAlignment(new ExplainerAlignmentTrainer.Options
                {
                    Model = options.Spec, Epochs = options.Epochs, BatchSize = 128, LearningRate = 0.1, Lambda = options.Lambda,
                    StepSize = Math.Max(1, options.Epochs / 3), Seed = options.Seed + 1,
                }).Fit(targets);

                report.ClassifierAccuracy = context.MulticlassClassification.Evaluate(explained.Transform(test)).MicroAccuracy;
                report.RobustCleanAccuracy = context.MulticlassClassification.Evaluate(robust.Transform(test)).MicroAccuracy;
                report.RobustAdversarialAccuracy = context.MulticlassClassification.EvaluateRobustness(robust,
                    context.Data.TakeRows(test, 500), new PgdAttackOptions { ThreatModel = ThreatModel.L2, Epsilon = options.Epsilon, Steps = 20 }, seed: options.Seed);
                evaluationTask.Increment(1);

                var chain = new TransformerChain<ExplainedClassifierTransformer>(pixelModel, explained);
                context.Model.Save(chain, testRaw.Schema, Path.Combine(options.Output, "pipeline.zip"));
                evaluationTask.Increment(1);

                var maps = new DemoMaps(context, explained, robust, test, options);
                ExplanationGrid.Write(Path.Combine(options.Output, "explanations.png"), maps.GridRows(options.GridImages),
                    test.Schema["Label"].Annotations.KeyValues!);
                evaluationTask.Increment(1);

                report.Latency = maps.MeasureLatency();
                evaluationTask.Increment(1);

                report.Deletion = maps.DeletionCurves(500);
                report.Elapsed = DateTime.UtcNow - started;
                HtmlReport.Write(Path.Combine(options.Output, "report.html"), report);
                evaluationTask.Increment(1);
                explained.Dispose();
            });

        console.Write(Summary(report));
        console.MarkupLine($"Wrote [blue]explanations.png[/], [blue]pipeline.zip[/] and [blue]report.html[/] in {report.Elapsed.TotalMinutes:F1} minutes.");
        return 0;
    }

    private static string Describe(ProgressReport r) => string.Join(", ", r.Metrics.Select(m => $"{m.Key} {m.Value:F3}"));

    private static Table Summary(DemoReport report)
    {
        var table = new Table().AddColumns("Measure", "Value");
        table.AddRow("Accuracy of f (with explainer)", $"{report.ClassifierAccuracy:P1}");
        table.AddRow("Accuracy of robust f' (clean)", $"{report.RobustCleanAccuracy:P1}");
        table.AddRow($"Accuracy of f' under PGD-20 L2 eps {report.Options.Epsilon}", $"{report.RobustAdversarialAccuracy:P1}");
        foreach (var l in report.Latency)
        {
            table.AddRow($"Latency per image, {l.Method} (batch {l.BatchSize})", $"{l.Result.MedianMilliseconds / l.BatchSize:F2} ms");
        }

        foreach (var d in report.Deletion)
        {
            table.AddRow($"Deletion AUC, {d.Method} (lower is better)", $"{d.Area:F3}");
        }

        return table;
    }

    private sealed class ProgressSink(Action<ProgressReport> update, Action<ProgressReport>? log = null) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value)
        {
            update(value);
            log?.Invoke(value);
        }
    }

    private sealed class ProgressSink<T>(Action<T> update) : IProgress<T>
    {
        public void Report(T value) => update(value);
    }
}
