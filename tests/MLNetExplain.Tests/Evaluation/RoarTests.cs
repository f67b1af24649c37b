using MLNetExplain.Attribution;
using MLNetExplain.Evaluation;
using MLNetExplain.Models;
using MLNetExplain.Tests.Training;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Tests.Evaluation;

public sealed class RoarTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static float[] Values(Tensor t) => t.to_type(ScalarType.Float32).cpu().data<float>().ToArray();

    [Fact]
    public void ReplaceSwapsTheTopFractionForRoarAndTheBottomFractionForKar()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 4 }).view(1, 1, 2, 2);
        var map = tensor(new float[] { 4, -1, 3, 2 }).view(1, 1, 2, 2);
        var fill = tensor(new float[] { 9 });
        var signed = new RoarOptions { Absolute = false };
        Assert.Equal([9, 2, 9, 4], Values(RoarEvaluator.Replace(x, map, 0.5, RoarMode.Roar, fill, signed)));
        Assert.Equal([1, 9, 3, 9], Values(RoarEvaluator.Replace(x, map, 0.5, RoarMode.Kar, fill, signed)));
        // floor(0.3 * 4) = 1 feature; by |a| the -1 is least important either way, signed it is too.
        Assert.Equal([9, 2, 3, 4], Values(RoarEvaluator.Replace(x, map, 0.3, RoarMode.Roar, fill)));
        Assert.Equal([1, 9, 3, 4], Values(RoarEvaluator.Replace(x, map, 0.3, RoarMode.Kar, fill)));
        // |a| ranks -5 first.
        var negative = tensor(new float[] { 4, -5, 3, 2 }).view(1, 1, 2, 2);
        Assert.Equal([1, 9, 3, 4], Values(RoarEvaluator.Replace(x, negative, 0.25, RoarMode.Roar, fill)));
        Assert.Equal([9, 2, 3, 4], Values(RoarEvaluator.Replace(x, negative, 0.25, RoarMode.Roar, fill, signed)));
        // Ties keep raster order: a constant map removes the first features (ROAR) or the last (KAR).
        var constant = ones(1, 1, 2, 2);
        Assert.Equal([9, 9, 3, 4], Values(RoarEvaluator.Replace(x, constant, 0.5, RoarMode.Roar, fill)));
        Assert.Equal([1, 2, 9, 9], Values(RoarEvaluator.Replace(x, constant, 0.5, RoarMode.Kar, fill)));
        Assert.Equal([1, 2, 3, 4], Values(x));
    }

    [Fact]
    public void PixelRankingAveragesChannelsAndReplacesEveryChannelWithItsOwnMean()
    {
        using var scope = NewDisposeScope();
        // Two channels; by mean |a| pixel 3 (0.5 * (1 + 7) = 4) beats pixel 0 (0.5 * (5 + 0) = 2.5).
        var x = arange(8, dtype: ScalarType.Float32).view(1, 2, 2, 2);
        var map = tensor(new float[] { 5, 0, 0, 1, 0, 0, 0, -7 }).view(1, 2, 2, 2);
        var fill = tensor(new float[] { -1, -2 });
        var pixel = new RoarOptions { Granularity = RankingGranularity.Pixel };
        Assert.Equal([0, 1, 2, -1, 4, 5, 6, -2], Values(RoarEvaluator.Replace(x, map, 0.25, RoarMode.Roar, fill, pixel)));
        // Per element the single top element is channel 1's -7 only.
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, -2], Values(RoarEvaluator.Replace(x, map, 0.125, RoarMode.Roar, fill)));
        // A one-channel map ranks pixels directly.
        var single = tensor(new float[] { 0, 3, 0, 0 }).view(1, 1, 2, 2);
        Assert.Equal([0, -1, 2, 3, 4, -2, 6, 7], Values(RoarEvaluator.Replace(x, single, 0.25, RoarMode.Roar, fill, pixel)));
        var ex = Assert.Throws<ArgumentException>(() => RoarEvaluator.Replace(x, single, 0.25, RoarMode.Roar, fill));
        Assert.Equal("maps", ex.ParamName);
        Assert.Equal([2.5f, 6.5f], Values(RoarEvaluator.ChannelMean(cat([x, x + 2], 0), batchSize: 1)));
    }

    [Fact]
    public void RoarWithTheModelsOwnSaliencyHurtsMoreThanRandomAndKarKeepsMore()
    {
        using var scope = NewDisposeScope();
        var data = PatchImages.Dataset();
        using var model = PixelLinear.Trained(data.TrainImages, data.TrainLabels, seed: 5);
        var saliency = new Saliency(model);
        var trainer = new PixelLinearTrainer();
        var options = new RoarOptions { Ratios = [0.3, 0.7], Seeds = [0], BatchSize = 300 };
        var result = new RoarEvaluator(trainer, options).Evaluate(data,
            [RoarAttributions.FromMethod(saliency, predictingModel: model), RoarAttributions.Random(seed: 3)]);
        foreach (var p in result.Points)
        {
            output.WriteLine($"{p.Method} {p.Mode} {p.Ratio}: {p.Mean:F3} ± {p.StandardDeviation:F3} [{string.Join(", ", p.Accuracies.Select(a => a.ToString("F3")))}]");
        }

        output.WriteLine($"unmodified {result.Unmodified!.Mean:F3}");
        Assert.Equal(1 + 2 * 2 * 2, trainer.Calls);
        Assert.True(result.Unmodified.Mean > 0.95);
        // ROAR at 30 %: the saliency removes every patch pixel (chance is 0.25); random removal leaves most patches.
        Assert.True(result["Saliency", RoarMode.Roar, 0.3].Mean < 0.4);
        Assert.True(result["Random", RoarMode.Roar, 0.3].Mean > 0.8);
        // KAR at 70 %: the saliency keeps the patches, random keeping loses most of them.
        Assert.True(result["Saliency", RoarMode.Kar, 0.7].Mean > 0.9);
        Assert.True(result["Random", RoarMode.Kar, 0.7].Mean < result["Saliency", RoarMode.Kar, 0.7].Mean - 0.2);
    }

    [Fact]
    public void AFillReplacesTheRankedFeaturesByThatConstantInsteadOfTheMean()
    {
        using var scope = NewDisposeScope();
        // Images of values in [1, 2] (never 0 or 0.25): a constant map removes the first half of every image's pixels.
        var train = (rand([6, 1, 2, 2], generator: new Generator(4)) + 1).to_type(ScalarType.Float32);
        var test = (rand([3, 1, 2, 2], generator: new Generator(5)) + 1).to_type(ScalarType.Float32);
        var data = new RoarDataset(train, zeros(6, ScalarType.Int64), test, zeros(3, ScalarType.Int64));
        var ranking = RoarAttributions.Precomputed("Constant", ones(6, 1, 2, 2), ones(3, 1, 2, 2));
        var options = new RoarOptions { Ratios = [0.5], Modes = [RoarMode.Roar], Seeds = [0], IncludeUnmodified = false };
        var zero = new RecordingTrainer();
        new RoarEvaluator(zero, options with { Fill = [0.0] }).Evaluate(data, [ranking]);
        var expected = cat([zeros(6, 2), train.view(6, 4).narrow(1, 2, 2)], 1);
        Assert.Equal(Values(expected), zero.Train);
        Assert.Equal(Values(cat([zeros(3, 2), test.view(3, 4).narrow(1, 2, 2)], 1)), zero.Test);

        var mean = new RecordingTrainer();
        new RoarEvaluator(mean, options).Evaluate(data, [ranking]);
        float trainMean = train.mean().item<float>();
        Assert.All(Enumerable.Range(0, 6).SelectMany(i => mean.Train!.Skip(4 * i).Take(2)), v => Assert.Equal(trainMean, v, 5));

        var wrongChannels = Assert.Throws<ArgumentException>(() => new RoarEvaluator(zero, options with { Fill = [0.0, 0.0] }).Evaluate(data, [ranking]));
        Assert.Contains("2 value(s)", wrongChannels.Message);
        Assert.Throws<ArgumentException>(() => new RoarEvaluator(zero, options with { Fill = [double.NaN] }));
    }

    private sealed class RecordingTrainer : IRoarTrainer
    {
        // Copied out: the evaluator disposes the modified images when the cell is done.
        public float[]? Train { get; private set; }

        public float[]? Test { get; private set; }

        public double TrainAndTest(RoarDataset data, long seed, CancellationToken cancellationToken)
        {
            Train = Values(data.TrainImages);
            Test = Values(data.TestImages);
            return 0.5;
        }
    }

    [Fact]
    public void FinishedCellsAreSkippedAndTheRandomBaselineRepeatsPerSeed()
    {
        using var scope = NewDisposeScope();
        var data = PatchImages.Dataset(train: 200, test: 100);
        var trainer = new PixelLinearTrainer();
        var options = new RoarOptions { Ratios = [0.5], Modes = [RoarMode.Roar], Seeds = [0, 1], BatchSize = 64 };
        var store = new RoarCellStore([new(new RoarCell("Random", RoarMode.Roar, 0.5, 1), 0.123)]);
        var reports = new List<RoarProgress>();
        var result = new RoarEvaluator(trainer, options).Evaluate(data, [RoarAttributions.Random(seed: 3)], store, new SyncProgress<RoarProgress>(reports.Add));
        Assert.Equal(3, trainer.Calls); // two unmodified cells and one random cell; the stored one is reused
        Assert.Equal(0.123, result["Random", RoarMode.Roar, 0.5].Accuracies[1]);
        Assert.Equal([false, false, false, true], reports.Select(r => r.Restored));
        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.Completed));
        Assert.All(reports, r => Assert.Equal(4, r.Total));
        Assert.Equal(4, store.Cells.Count);

        // Everything stored: nothing is trained, no map is computed.
        var again = new PixelLinearTrainer();
        var same = new RoarEvaluator(again, options).Evaluate(data, [RoarAttributions.Random(seed: 3)], store);
        Assert.Equal(0, again.Calls);
        Assert.Equal(result.Points.Single().Accuracies, same.Points.Single().Accuracies);

        // The random masks depend on the seed, not on the batch size.
        var fill = RoarEvaluator.ChannelMean(data.TrainImages);
        var a = RoarAttributions.Random(seed: 3).Scores(data.TestImages, data.TestLabels, false, options, default);
        var b = RoarAttributions.Random(seed: 3).Scores(data.TestImages, data.TestLabels, false, options with { BatchSize = 7 }, default);
        var c = RoarAttributions.Random(seed: 4).Scores(data.TestImages, data.TestLabels, false, options, default);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }

    [Fact]
    public void ACellFileResumesAGridInANewProcess()
    {
        using var directory = new MLNetExplain.Tests.Datasets.TempDirectory();
        string path = Path.Combine(directory.Path, "sub", "roar.json");
        var cell = new RoarCell("Saliency", RoarMode.Kar, 0.2, 3);
        new RoarCellFile(path).Add(cell, 0.75);
        new RoarCellFile(path).Add(new RoarCell(RoarCell.UnmodifiedMethod, RoarMode.Roar, 0, 0), 0.5);
        var reopened = new RoarCellFile(path);
        Assert.True(reopened.TryGet(new RoarCell("Saliency", RoarMode.Kar, 0.2, 3), out double accuracy));
        Assert.Equal(0.75, accuracy);
        Assert.Equal(2, reopened.Cells.Count);
        Assert.Equal("Saliency/Kar/0.2/seed3", cell.Key);
        File.WriteAllText(path, "not json");
        Assert.Throws<InvalidDataException>(() => new RoarCellFile(path));
    }

    [Fact]
    public void SpecTrainerRetrainsFromScratchDeterministicallyPerSeed()
    {
        using var scope = NewDisposeScope();
        var data = PatchImages.Dataset(train: 128, test: 64);
        var trainer = new SpecRoarTrainer(ClassifierSpec.SmallCnn(PatchImages.Classes, 1, width: 4),
            new ClassifierTrainer.Options { Epochs = 2, BatchSize = 32, LearningRate = 0.05 });
        double first = trainer.TrainAndTest(data, 7, default), second = trainer.TrainAndTest(data, 7, default);
        Assert.Equal(first, second);
        Assert.InRange(first, 0, 1);
    }

    [Fact]
    public void BadGridsAndNamesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new RoarEvaluator(new PixelLinearTrainer(), new RoarOptions { Ratios = [0.2, 1.0] }));
        Assert.Throws<ArgumentException>(() => new RoarEvaluator(new PixelLinearTrainer(), new RoarOptions { Seeds = [] }));
        Assert.Throws<ArgumentException>(() => RoarAttributions.Random(name: RoarCell.UnmodifiedMethod));
        using var scope = NewDisposeScope();
        var data = PatchImages.Dataset(train: 8, test: 4);
        var evaluator = new RoarEvaluator(new PixelLinearTrainer(), new RoarOptions { IncludeUnmodified = false });
        Assert.Throws<ArgumentException>(() => evaluator.Evaluate(data, [RoarAttributions.Random(), RoarAttributions.Random()]));
        var ex = Assert.Throws<ArgumentException>(() => evaluator.Evaluate(data, [RoarAttributions.Precomputed("Maps", zeros(8, 1, 8, 8), zeros(3, 1, 8, 8))]));
        Assert.Equal("testMaps", ex.ParamName);
    }
}
