using MLNetExplain.Attribution;
using MLNetExplain.Engine;
using MLNetExplain.Training;
using static TorchSharp.torch;

namespace MLNetExplain.Evaluation;

/// <summary>
/// Where a ROAR/KAR ranking comes from: precomputed maps, an attribution method run over the data in chunks, or
/// the random baseline. Maps are only produced when some cell of the method still has to be trained.
/// </summary>
public sealed class RoarAttributions
{
    private const long RandomChunk = 1024;
    private readonly Func<Tensor, Tensor, bool, long, long, Tensor>? _maps;
    private readonly long _randomSeed;

    private RoarAttributions(string name, Func<Tensor, Tensor, bool, long, long, Tensor>? maps, long randomSeed)
    {
        if (string.IsNullOrWhiteSpace(name) || name == RoarCell.UnmodifiedMethod)
        {
            throw new ArgumentException($"A ranking needs a name other than '{RoarCell.UnmodifiedMethod}'; got '{name}'.", nameof(name));
        }

        Name = name;
        _maps = maps;
        _randomSeed = randomSeed;
    }

    /// <summary>The ranking's name in cells and results.</summary>
    public string Name { get; }

    /// <summary>Precomputed maps for every train and test image (Hooker et al. store them next to the images).</summary>
    /// <param name="name">The ranking's name.</param>
    /// <param name="trainMaps">[N, C or 1, H, W] for the training images (not disposed).</param>
    /// <param name="testMaps">[M, C or 1, H, W] for the test images (not disposed).</param>
    public static RoarAttributions Precomputed(string name, Tensor trainMaps, Tensor testMaps)
    {
        ArgumentNullException.ThrowIfNull(trainMaps);
        ArgumentNullException.ThrowIfNull(testMaps);
        return new RoarAttributions(name, (images, _, train, first, total) =>
        {
            var maps = train ? trainMaps : testMaps;
            string argument = train ? nameof(trainMaps) : nameof(testMaps);
            if (maps.dim() != 4 || maps.shape[0] != total)
            {
                throw new ArgumentException($"{argument} of '{name}' must be [{total}, C', H, W] (one map per image); got [{AttributionInputs.Shape(maps)}].", argument);
            }

            return maps.narrow(0, first, images.shape[0]);
        }, 0);
    }

    /// <summary>
    /// Maps computed by <paramref name="method"/> over the data in chunks of <see cref="RoarOptions.BatchSize"/> images.
    /// Hooker et al. explain the class the trained model predicts: pass that model as <paramref name="predictingModel"/>;
    /// null explains the labels.
    /// </summary>
    /// <param name="method">The attribution method (over the trained model).</param>
    /// <param name="predictingModel">The model whose predicted class is explained; null to explain the labels.</param>
    /// <param name="name">The ranking's name; null takes <see cref="IAttributionMethod.Name"/>.</param>
    public static RoarAttributions FromMethod(IAttributionMethod method, nn.Module<Tensor, Tensor>? predictingModel = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        var device = predictingModel is not null ? ModuleDevice.Of(predictingModel)
            : method is AttributionMethod m ? ModuleDevice.Of(m.Model) : null;
        return new RoarAttributions(name ?? method.Name, (images, labels, _, _, _) =>
        {
            using var scope = NewDisposeScope();
            var x = device is null ? images : images.to(device);
            var targets = predictingModel is null ? labels.to(x.device) : AttributionTargets.Predicted(predictingModel, x);
            return method.Attribute(x, targets).MoveToOuterDisposeScope();
        }, 0);
    }

    /// <summary>
    /// The random baseline: every image gets an independent uniformly random order of its features, so exactly the
    /// requested fraction is replaced (Hooker et al. draw a Bernoulli mask, whose size only averages the fraction).
    /// </summary>
    /// <param name="seed">Seed of the orders (the same seed gives the same masks whatever the batch size).</param>
    /// <param name="name">The ranking's name.</param>
    public static RoarAttributions Random(long seed = 0, string name = "Random") => new(name, null, seed);

    /// <summary>Float32 CPU scores [N, units] for one split, computed in chunks.</summary>
    internal Tensor Scores(Tensor images, Tensor labels, bool train, RoarOptions o, CancellationToken cancellationToken)
    {
        long n = images.shape[0], units = FeatureRanking.Units(images.shape, o.Granularity);
        if (_maps is null)
        {
            // Fixed chunks with their own seeds: the draw does not depend on the caller's batch size.
            var parts = new List<Tensor>();
            for (long first = 0, chunk = 0; first < n; first += RandomChunk, chunk++)
            {
                using var generator = new Generator(TrainingSeeds.ForEpoch(_randomSeed, (int)chunk, train ? 11 : 12));
                parts.Add(rand([Math.Min(RandomChunk, n - first), units], generator: generator));
            }

            var all = cat(parts, 0);
            parts.ForEach(p => p.Dispose());
            return all;
        }

        var scores = new List<Tensor>();
        try
        {
            for (long first = 0; first < n; first += o.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long count = Math.Min(o.BatchSize, n - first);
                var maps = _maps(images.narrow(0, first, count), labels.narrow(0, first, count), train, first, n);
                string argument = train ? "trainMaps" : "testMaps";
                scores.Add(FeatureRanking.Scores(maps, [count, .. images.shape.Skip(1)], o.Granularity, o.Absolute, argument).MoveToOuterDisposeScope());
            }

            return cat(scores, 0);
        }
        finally
        {
            foreach (var s in scores)
            {
                s.Dispose();
            }
        }
    }
}
