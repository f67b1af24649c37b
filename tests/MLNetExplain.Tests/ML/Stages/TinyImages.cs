using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetExplain.Tests.ML.Stages;

/// <summary>A row of the small test images: 2 x 3 x 4 pixels in "Features", an id, a name and a key label (3 classes).</summary>
public sealed class TinyImage
{
    public const int Channels = 2, Height = 3, Width = 4, Size = Channels * Height * Width, Classes = 3;

    [VectorType(Channels, Height, Width)]
    public float[] Features { get; set; } = [];

    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The class index 0..2: LoadFromEnumerable and PredictionEngine store a [KeyType] value v as key v + 1.</summary>
    [KeyType(Classes)]
    public uint Label { get; set; }
}

/// <summary>Deterministic tiny images whose pixels encode their row id, so misplaced rows show up.</summary>
public static class TinyImages
{
    /// <summary>Fixed weights [Classes, Size] drawn uniformly from [-1, 1) for the test classifiers.</summary>
    public static TorchSharp.torch.Tensor Weights(int seed)
    {
        var random = new Random(seed);
        return TorchSharp.torch.tensor(Enumerable.Range(0, TinyImage.Size * TinyImage.Classes).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
            [TinyImage.Classes, TinyImage.Size]);
    }

    public static List<TinyImage> Rows(int count, int seed = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new TinyImage
        {
            Features = [.. Enumerable.Range(0, TinyImage.Size).Select(_ => (float)random.NextDouble() + i)],
            Id = i,
            Name = $"row{i}",
            Label = (uint)(i % TinyImage.Classes),
        })];
    }

    /// <summary>The rows as a cached (so shuffleable) view.</summary>
    public static IDataView View(MLContext ml, int count, int seed = 1) => View(ml, Rows(count, seed));

    public static IDataView View(MLContext ml, IEnumerable<TinyImage> rows) => ml.Data.Cache(ml.Data.LoadFromEnumerable(rows));
}
