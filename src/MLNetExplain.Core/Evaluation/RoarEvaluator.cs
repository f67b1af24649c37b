using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// ROAR and KAR (Hooker et al. 2019, "A Benchmark for Interpretability Methods in Deep Neural Networks"): rank
/// every image's features by an attribution, replace a fraction of them by the per-channel mean of the clean
/// training images (or <see cref="RoarOptions.Fill"/>), in the training and the test split alike, retrain a model from scratch and report its test
/// accuracy. ROAR replaces the most important fraction (a faithful ranking makes accuracy fall fastest), KAR the
/// least important (a faithful ranking keeps accuracy highest). A random ranking is the reference.
/// </summary>
/// <remarks>
/// The grid is (ranking, mode, ratio, seed), plus an unmodified cell per seed; every cell is looked up in an
/// <see cref="IRoarCellStore"/> first and recorded there as soon as it finishes, so a grid that was stopped resumes
/// where it was. Maps and modified datasets are only computed for cells that still have to be trained.
/// </remarks>
public sealed class RoarEvaluator
{
    /// <summary>Creates the evaluator.</summary>
    /// <param name="trainer">Retrains a fresh model per cell (e.g. <see cref="SpecRoarTrainer"/>).</param>
    /// <param name="options">The grid and ranking settings; null takes the defaults.</param>
    public RoarEvaluator(IRoarTrainer trainer, RoarOptions? options = null)
    {
        Trainer = trainer ?? throw new ArgumentNullException(nameof(trainer));
        Options = options ?? new RoarOptions();
        Options.Validate();
    }

    /// <summary>The retraining.</summary>
    public IRoarTrainer Trainer { get; }

    /// <summary>The settings.</summary>
    public RoarOptions Options { get; }

    /// <summary>Runs (or resumes) the grid.</summary>
    /// <param name="data">The clean train/test split; not modified or disposed.</param>
    /// <param name="rankings">The rankings to evaluate (include <see cref="RoarAttributions.Random"/> for the baseline).</param>
    /// <param name="store">Finished cells (skipped) and where new ones are recorded; null keeps them in memory for this call.</param>
    /// <param name="progress">Receives a report after every cell, restored ones included.</param>
    /// <param name="cancellationToken">Checked between chunks and passed to the trainer.</param>
    /// <exception cref="ArgumentException">Bad shapes, duplicate ranking names or bad options.</exception>
    public RoarResult Evaluate(RoarDataset data, IReadOnlyList<RoarAttributions> rankings, IRoarCellStore? store = null,
        IProgress<RoarProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rankings);
        data.Validate();
        if (rankings.Select(r => r.Name).Distinct().Count() != rankings.Count)
        {
            throw new ArgumentException($"Rankings need distinct names; got [{string.Join(", ", rankings.Select(r => r.Name))}].", nameof(rankings));
        }

        var o = Options;
        if (o.Fill is { } values && values.Count != data.TrainImages.shape[1])
        {
            throw new ArgumentException($"RoarOptions.Fill lists {values.Count} value(s), but the images have {data.TrainImages.shape[1]} channel(s).", nameof(data));
        }

        store ??= new RoarCellStore();
        int total = (o.IncludeUnmodified ? o.Seeds.Count : 0) + rankings.Count * o.Modes.Count * o.Ratios.Count * o.Seeds.Count;
        int completed = 0;

        double[] RunCells(string method, RoarMode mode, double ratio, Func<RoarDataset> modified)
        {
            var cells = o.Seeds.Select(seed => new RoarCell(method, mode, ratio, seed)).ToArray();
            var accuracies = new double[cells.Length];
            RoarDataset? dataset = null;
            try
            {
                for (int i = 0; i < cells.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    bool restored = store.TryGet(cells[i], out accuracies[i]);
                    if (!restored)
                    {
                        dataset ??= modified();
                        accuracies[i] = Trainer.TrainAndTest(dataset, cells[i].Seed, cancellationToken);
                        store.Add(cells[i], accuracies[i]);
                    }

                    progress?.Report(new RoarProgress(cells[i], accuracies[i], restored, ++completed, total));
                }
            }
            finally
            {
                if (dataset is not null && !ReferenceEquals(dataset, data))
                {
                    Dispose(dataset);
                }
            }

            return accuracies;
        }

        RoarPoint? unmodified = o.IncludeUnmodified
            ? RoarPoint.From(RoarCell.UnmodifiedMethod, RoarMode.Roar, 0, RunCells(RoarCell.UnmodifiedMethod, RoarMode.Roar, 0, () => data))
            : null;
        var points = new List<RoarPoint>();
        using var fill = o.Fill is { } constants
            ? tensor(constants.ToArray(), dtype: data.TrainImages.dtype)
            : ChannelMean(data.TrainImages, o.BatchSize);
        foreach (var ranking in rankings)
        {
            Tensor? trainScores = null, testScores = null;
            try
            {
                foreach (var mode in o.Modes)
                {
                    foreach (double ratio in o.Ratios)
                    {
                        var accuracies = RunCells(ranking.Name, mode, ratio, () =>
                        {
                            trainScores ??= ranking.Scores(data.TrainImages, data.TrainLabels, train: true, o, cancellationToken);
                            testScores ??= ranking.Scores(data.TestImages, data.TestLabels, train: false, o, cancellationToken);
                            return new RoarDataset(
                                ReplaceRanked(data.TrainImages, trainScores, ratio, mode, fill, o),
                                data.TrainLabels.alias(),
                                ReplaceRanked(data.TestImages, testScores, ratio, mode, fill, o),
                                data.TestLabels.alias());
                        });
                        points.Add(RoarPoint.From(ranking.Name, mode, ratio, accuracies));
                    }
                }
            }
            finally
            {
                trainScores?.Dispose();
                testScores?.Dispose();
            }
        }

        return new RoarResult(unmodified, points);
    }

    /// <summary>
    /// Replaces a fraction of every image's features, ranked by <paramref name="maps"/>, by <paramref name="fill"/>:
    /// the modification ROAR and KAR train and test on, for inspection and for callers that retrain themselves.
    /// </summary>
    /// <param name="images">Images [N, C, H, W].</param>
    /// <param name="maps">Attributions [N, C, H, W], or [N, 1, H, W] with <see cref="RankingGranularity.Pixel"/>.</param>
    /// <param name="ratio">The fraction replaced, in [0, 1]: floor(ratio · features) features per image.</param>
    /// <param name="mode">ROAR replaces the highest-ranked features, KAR the lowest-ranked.</param>
    /// <param name="fill">The replacement value per channel, [C] (ROAR: the training set's channel mean).</param>
    /// <param name="options">Ranking settings (granularity, absolute); null takes the defaults.</param>
    /// <returns>New images; the inputs are not modified.</returns>
    public static Tensor Replace(Tensor images, Tensor maps, double ratio, RoarMode mode, Tensor fill, RoarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(fill);
        var o = options ?? new RoarOptions();
        if (images.dim() != 4 || !images.is_floating_point())
        {
            throw new ArgumentException($"images must be floating point [N, C, H, W]; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        }

        if (!(ratio >= 0 && ratio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The replaced fraction must lie in [0, 1].");
        }

        using var scores = FeatureRanking.Scores(maps, images.shape, o.Granularity, o.Absolute, nameof(maps));
        return ReplaceRanked(images, scores, ratio, mode, fill, o);
    }

    /// <summary>The per-channel mean of <paramref name="images"/> [N, C, H, W] as [C] in the images' dtype, summed in float64 chunks.</summary>
    public static Tensor ChannelMean(Tensor images, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[0] < 1 || !images.is_floating_point())
        {
            throw new ArgumentException($"images must be floating point [N, C, H, W]; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        }

        using var scope = NewDisposeScope();
        var sum = zeros(images.shape[1], ScalarType.Float64);
        for (long first = 0; first < images.shape[0]; first += batchSize)
        {
            sum.add_(images.narrow(0, first, Math.Min(batchSize, images.shape[0] - first)).to(CPU).to_type(ScalarType.Float64).sum([0, 2, 3]));
        }

        return (sum / (images.shape[0] * images.shape[2] * images.shape[3])).to_type(images.dtype).MoveToOuterDisposeScope();
    }

    // Scores [N, units] (float32 CPU) → new images, chunked so masks never exist for the whole set at once.
    private static Tensor ReplaceRanked(Tensor images, Tensor scores, double ratio, RoarMode mode, Tensor fill, RoarOptions o)
    {
        long c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (fill.numel() != c)
        {
            throw new ArgumentException($"fill must hold one value per channel ([{c}]); got [{string.Join(", ", fill.shape)}].", nameof(fill));
        }

        long count = FeatureRanking.Count(ratio, scores.shape[1]);
        var parts = new List<Tensor>();
        try
        {
            for (long first = 0; first < images.shape[0]; first += o.BatchSize)
            {
                using var scope = NewDisposeScope();
                long n = Math.Min(o.BatchSize, images.shape[0] - first);
                var x = images.narrow(0, first, n);
                var mask = FeatureRanking.Mask(scores.narrow(0, first, n), count, highest: mode == RoarMode.Roar).to(x.device);
                mask = o.Granularity == RankingGranularity.Element ? mask.view(n, c, h, w) : mask.view(n, 1, h, w).expand(n, c, h, w);
                var value = fill.to(x.device).to_type(x.dtype).view(1, c, 1, 1).expand_as(x);
                parts.Add(where(mask, value, x).MoveToOuterDisposeScope());
            }

            return cat(parts, 0);
        }
        finally
        {
            parts.ForEach(p => p.Dispose());
        }
    }

    private static void Dispose(RoarDataset d)
    {
        d.TrainImages.Dispose();
        d.TrainLabels.Dispose();
        d.TestImages.Dispose();
        d.TestLabels.Dispose();
    }
}
