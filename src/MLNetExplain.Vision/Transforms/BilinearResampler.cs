namespace MLNetExplain.Vision.Transforms;

/// <summary>
/// Bilinear resampling of planar CHW images with PyTorch's <c>interpolate(mode="bilinear", align_corners=False)</c>
/// sampling: source = (dst + 0.5) * in/out - 0.5, clamped at 0; the taps are computed once per size pair.
/// </summary>
internal sealed class BilinearResampler
{
    private readonly (int Lo, int Hi, float Weight)[] _rows;
    private readonly (int Lo, int Hi, float Weight)[] _cols;

    public BilinearResampler(int inHeight, int inWidth, int outHeight, int outWidth)
    {
        (InHeight, InWidth, OutHeight, OutWidth) = (inHeight, inWidth, outHeight, outWidth);
        _rows = Taps(inHeight, outHeight);
        _cols = Taps(inWidth, outWidth);
    }

    public int InHeight { get; }
    public int InWidth { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }

    /// <summary>Resamples one channel plane.</summary>
    public void Resample(ReadOnlySpan<float> source, Span<float> target)
    {
        for (var y = 0; y < OutHeight; y++)
        {
            var (y0, y1, wy) = _rows[y];
            for (var x = 0; x < OutWidth; x++)
            {
                var (x0, x1, wx) = _cols[x];
                var top = source[y0 * InWidth + x0] * (1 - wx) + source[y0 * InWidth + x1] * wx;
                var bottom = source[y1 * InWidth + x0] * (1 - wx) + source[y1 * InWidth + x1] * wx;
                target[y * OutWidth + x] = top * (1 - wy) + bottom * wy;
            }
        }
    }

    /// <summary>Resamples every plane of a CHW image.</summary>
    public void ResampleImage(ReadOnlySpan<float> source, Span<float> target, int channels)
    {
        int inPlane = InHeight * InWidth, outPlane = OutHeight * OutWidth;
        for (var c = 0; c < channels; c++)
        {
            Resample(source.Slice(c * inPlane, inPlane), target.Slice(c * outPlane, outPlane));
        }
    }

    private static (int, int, float)[] Taps(int inSize, int outSize)
    {
        var scale = (float)inSize / outSize;
        var taps = new (int, int, float)[outSize];
        for (var d = 0; d < outSize; d++)
        {
            var s = Math.Max((d + 0.5f) * scale - 0.5f, 0f);
            var lo = Math.Min((int)s, inSize - 1);
            taps[d] = (lo, Math.Min(lo + 1, inSize - 1), s - lo);
        }

        return taps;
    }
}
