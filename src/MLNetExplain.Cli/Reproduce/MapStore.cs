using MLNetExplain.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetExplain.Cli.Reproduce;

/// <summary>
/// Each method's maps of the training and test images, computed once and kept in <c>maps/</c> (written atomically),
/// so a resumed run and every ROAR cell reuse them. Maps are [N, C, H, W] Float32 for f's predicted classes.
/// </summary>
internal sealed class MapStore(string folder)
{
    private const int Batch = 128;

    /// <summary>The maps of <paramref name="method"/> for <paramref name="images"/> (split named <paramref name="split"/>), from the cache or computed.</summary>
    public Tensor GetOrCompute(ReproduceMethod method, string split, IAttributionMethod attribution, Tensor images, Tensor targets,
        Action<long> progress, CancellationToken token)
    {
        var path = Path.Combine(folder, $"{method.Slug}-{split}.pt");
        if (File.Exists(path))
        {
            return Tensor.Load(path);
        }

        Directory.CreateDirectory(folder);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < images.shape[0]; start += Batch)
            {
                token.ThrowIfCancellationRequested();
                long n = Math.Min(Batch, images.shape[0] - start);
                using var scope = NewDisposeScope();
                parts.Add(attribution.Attribute(images.narrow(0, start, n), targets.narrow(0, start, n)).to_type(ScalarType.Float32).MoveToOuterDisposeScope());
                progress(start + n);
            }

            var maps = cat(parts, 0);
            var temporary = path + ".tmp";
            using (var stream = File.Create(temporary))
            {
                maps.Save(stream);
            }

            File.Move(temporary, path, overwrite: true);
            return maps;
        }
        finally
        {
            parts.ForEach(p => p.Dispose());
        }
    }
}
