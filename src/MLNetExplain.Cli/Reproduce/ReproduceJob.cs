using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetExplain.Attribution;
using MLNetExplain.Cli.Console;
using MLNetExplain.Evaluation;
using MLNetExplain.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// Seed 001's experiments on Fashion-MNIST, end to end and resumable: trains (or loads) the four models, computes
/// every method's maps of the training and test images, runs the ROAR grid (Table 1; Table 2's two explainers are
/// rows of it), deletion and insertion curves, the MPRT sanity check and the latency table (Table 3), and writes
/// report.html (charts) and report.md (tables). Models, maps and finished ROAR cells are kept in the output folder,
/// so a rerun with the same settings skips them.
/// </summary>
internal sealed class ReproduceJob(ReproduceOptions options, IAnsiConsole console)
{
    private const string MapsStage = "Maps of every method";
    private const string RoarStage = "ROAR retraining grid";
    private const string EvaluationStage = "Curves, sanity check, latency";

    /// <summary>The files the job writes in the output folder (beside its checkpoints).</summary>
    public static readonly string[] OutputFiles = ["report.html", "report.md"];

    /// <summary>Runs the job; returns the exit code (2 for settings out of range or a folder of other settings, 130 when cancelled).</summary>
    public int Run(CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
            CheckSettings();
        }
        catch (ArgumentException e)
        {
            console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var report = new ReproduceReport { Options = options, Threads = get_num_threads() };
        console.MarkupLine($"[bold]MLNetExplain reproduce[/]: seed 001's tables on Fashion-MNIST, {report.Threads} threads, " +
            $"output [blue]{Markup.Escape(Path.GetFullPath(options.Output))}[/]");
        try
        {
            StageProgress.Run(console, stages => Execute(new ReproduceProgress(stages), report, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[yellow]Cancelled; finished models, maps and ROAR cells are kept, and a rerun resumes from them.[/]");
            return 130;
        }

        report.Elapsed = clock.Elapsed;
        ReproduceReportWriter.Write(options.Output, report);
        console.Write(ReproduceReportWriter.RoarTable(report));
        console.MarkupLine($"Wrote [blue]{string.Join("[/], [blue]", OutputFiles)}[/] in {report.Elapsed.TotalMinutes:F1} minutes.");
        return 0;
    }

    private void Execute(ReproduceProgress progress, ReproduceReport report, CancellationToken token)
    {
        var o = options;
        using var data = ReproduceData.Load(o);
        using var models = ReproduceModels.TrainOrLoad(o, data, progress, token);
        report.Accuracy =
        [
            new("f with explainer aligned to f' (explained by every method)", Accuracy(models.Explained, data)),
            new("f' robust counterpart (PGD-L2)", Accuracy(models.Robust, data)),
            new("standard classifier (source of Table 2's standard targets)", Accuracy(models.Standard, data)),
            new("f with explainer aligned to standard SmoothGrad (Table 2)", Accuracy(models.ExplainedStandard, data)),
        ];

        var methods = ReproduceMethods.Select(o.Methods);
        using var scope = NewDisposeScope();
        var trainTargets = Predicted(models.Explained, data.TrainImages);
        var testTargets = Predicted(models.Explained, data.TestImages);
        var maps = Maps(methods, models, data, trainTargets, testTargets, progress, token);

        report.Roar = Roar(methods, maps, data, progress, token);

        progress.Begin(EvaluationStage, 3);
        report.Curves = ReproduceCurves.Compute(models.Explained, methods, maps, data, o, token);
        progress.Step(EvaluationStage, 1, 3, "deletion and insertion curves");
        report.Sanity = ReproduceSanity.Compute(models, methods, data, o, token);
        progress.Step(EvaluationStage, 2, 3, "MPRT sanity check");
        report.Latency = ReproduceLatency.Measure(models, methods, data, o, token);
        progress.Step(EvaluationStage, 3, 3, "latency");
        report.Log = progress.Lines;
    }

    /// <summary>Every method's train and test maps, from the cache or computed; the random ranking has none.</summary>
    private Dictionary<string, (Tensor Train, Tensor Test)> Maps(IReadOnlyList<ReproduceMethod> methods, ReproduceModels models, ReproduceData data,
        Tensor trainTargets, Tensor testTargets, ReproduceProgress progress, CancellationToken token)
    {
        var store = new MapStore(Path.Combine(options.Output, "maps"));
        var result = new Dictionary<string, (Tensor, Tensor)>();
        var withMaps = methods.Where(m => !m.IsRandom).ToList();
        long perMethod = data.TrainImages.shape[0] + data.TestImages.shape[0];
        long total = perMethod * withMaps.Count;
        progress.Begin(MapsStage, total);
        for (int k = 0; k < withMaps.Count; k++)
        {
            var method = withMaps[k];
            var attribution = method.Create!(models, options);
            try
            {
                long before = k * perMethod;
                var train = store.GetOrCompute(method, "train", attribution, data.TrainImages, trainTargets,
                    done => progress.Step(MapsStage, before + done, total), token);
                long afterTrain = before + data.TrainImages.shape[0];
                var test = store.GetOrCompute(method, "test", attribution, data.TestImages, testTargets,
                    done => progress.Step(MapsStage, afterTrain + done, total), token);
                result[method.Name] = (train, test);
                progress.Step(MapsStage, before + perMethod, total, $"maps of {method.Name}");
            }
            finally
            {
                (attribution as IDisposable)?.Dispose();
            }
        }

        return result;
    }

    private RoarResult Roar(IReadOnlyList<ReproduceMethod> methods, Dictionary<string, (Tensor Train, Tensor Test)> maps, ReproduceData data,
        ReproduceProgress progress, CancellationToken token)
    {
        var o = options;
        var evaluator = new RoarEvaluator(
            new SpecRoarTrainer(ReproduceOptions.Spec, new ClassifierTrainer.Options { Epochs = o.RoarEpochs, BatchSize = 128, LearningRate = 0.1 }),
            new RoarOptions
            {
                Ratios = [.. o.Ratios.Select(r => r / 100.0)],
                Modes = [RoarMode.Roar],
                Seeds = [.. Enumerable.Range(0, o.RoarSeeds).Select(s => (long)(o.Seed * 1000 + s))],
                Granularity = RankingGranularity.Pixel,
                Fill = o.RoarFill == ReproduceFill.Zero ? [0.0] : null,
            });
        var rankings = methods.Select(m => m.IsRandom
            ? RoarAttributions.Random(o.Seed, m.Name)
            : RoarAttributions.Precomputed(m.Name, maps[m.Name].Train, maps[m.Name].Test)).ToList();
        var store = new RoarCellFile(Path.Combine(o.Output, o.RoarCellsFile));
        return evaluator.Evaluate(new RoarDataset(data.TrainImages, data.TrainLabels, data.TestImages, data.TestLabels), rankings, store,
            new ProgressSink<RoarProgress>(p => progress.Step(RoarStage, p.Completed, p.Total,
                FormattableString.Invariant($"ROAR {p.Cell.Method} {p.Cell.Ratio * 100:F0}% seed {p.Cell.Seed}: {p.Accuracy * 100:F1}%{(p.Restored ? $" (from {o.RoarCellsFile})" : "")}"))),
            token);
    }

    private static double Accuracy(nn.Module<Tensor, Tensor> model, ReproduceData data) =>
        ClassifierEvaluation.Accuracy(model, data.TestImages, data.TestLabels);

    private static Tensor Predicted(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += 512)
        {
            parts.Add(AttributionTargets.Predicted(model, images.narrow(0, start, Math.Min(512, images.shape[0] - start))));
        }

        return cat(parts, 0);
    }

    /// <summary>Refuses a folder holding models and maps of other settings (they would be mixed in).</summary>
    private void CheckSettings()
    {
        Directory.CreateDirectory(options.Output);
        var path = Path.Combine(options.Output, "settings.json");
        var settings = JsonSerializer.Serialize(options.Fingerprint());
        if (File.Exists(path) && File.ReadAllText(path) != settings)
        {
            throw new ArgumentException(
                $"{path} records other settings; its checkpoints cannot be reused. Use another --output folder or delete this one.", nameof(options));
        }

        File.WriteAllText(path, settings);
    }
}
